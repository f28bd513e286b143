import assert from 'node:assert/strict'
import path from 'node:path'
import {describe, it} from 'node:test'
import {execa} from 'execa'
import {EXIT_CODE_OF} from '../../src/cli/exitCodes.js'
import type {TreeReport} from '../../src/lib/decode/decodeTree.js'
import type {RecoverReport} from '../../src/lib/recovery/runRecover.js'
import {REPO_ROOT, shmr} from '../helpers/cli.js'
import {sh, shOk} from '../helpers/mounted.js'
import {tempDir} from '../helpers/tempDir.js'

/**
 * Drives written by the last build of each snapshot format, metadata directory gone
 * (test/fixtures/makeRecoveryFixture.sh): this build must still rebuild them exactly, with
 * `decode --tree` and with `recover`.
 */
const FIXTURES = [5]
const DRIVES = ['smr0', 'smr1', 'smr2', 'ssd0']

/** What the fixture script made, beyond each file's bytes (MANIFEST): links, modes, times, xattrs, kinds. */
async function checkTree(root: string, manifest: string): Promise<void> {
  const sums = await sh(`cd '${root}' && sha256sum --quiet -c ${manifest}`)
  assert.equal(sums.exitCode, 0, sums.stdout + sums.stderr)
  assert.equal(await shOk(`cd '${root}' && readlink link && test -p fifo && stat -c '%h %a %y' photos/same.bin 'photos/2024 trip' one`), [
    'photos/2024 trip/multi.bin',
    '2 644 2001-09-09 01:46:40.123456789 +0000',
    '2 751 2001-09-09 01:46:40.123456789 +0000',
    '1 644 2001-09-09 01:46:40.123456789 +0000',
  ].join('\n'))
  assert.equal(await shOk(`python3 -c 'import os, sys; print(os.getxattr(sys.argv[1], "user.origin").hex())' '${root}/photos/same.bin'`), Buffer.from('camera \0 raw').toString('hex'))
}

describe('drives of older snapshot formats', () => {
  for (const version of FIXTURES) {
    it(`format ${version}: decode --tree and recover rebuild the tree exactly`, {timeout: 120_000}, async () => {
      const root = tempDir()
      await execa('tar', ['-xzf', path.join(REPO_ROOT, 'test', 'fixtures', `recovery${version}.tar.gz`), '-C', root])
      const manifest = path.join(root, 'MANIFEST')
      const config = path.join(root, 'shmr.yaml')

      const out = path.join(tempDir(), 'tree')
      const decoded = await shmr(['decode', '--json', '--tree', out, ...DRIVES.map((drive) => path.join(root, drive))])
      assert.equal(decoded.exitCode, 0, decoded.stderr)
      assert.deepEqual((JSON.parse(decoded.stdout) as TreeReport).notRebuilt, [])
      await checkTree(out, manifest)

      // Without the write pool, its one file cannot be rebuilt: said, and the rest is.
      const partialOut = path.join(tempDir(), 'tree')
      const partial = await shmr(['decode', '--json', '--tree', partialOut, ...DRIVES.slice(0, 3).map((drive) => path.join(root, drive))])
      assert.equal(partial.exitCode, EXIT_CODE_OF.CORRUPT)
      assert.deepEqual((JSON.parse(partial.stdout) as TreeReport).notRebuilt.map((file) => file.path), ['/late.txt'])

      const recovered = await shmr(['recover', '-c', config, '--json'])
      assert.equal(recovered.exitCode, 0, recovered.stdout + recovered.stderr)
      assert.deepEqual((JSON.parse(recovered.stdout) as RecoverReport).lost, [])
      const verified = await shmr(['verify', '-c', config])
      assert.equal(verified.exitCode, 0, verified.stdout + verified.stderr)
      const mounted = await shmr(['mount', '-c', config, '--background'])
      assert.equal(mounted.exitCode, 0, mounted.stderr)
      try {
        await checkTree(path.join(root, 'mnt'), manifest)
      } finally {
        await shmr(['umount', '-c', config])
      }
    })
  }
})
