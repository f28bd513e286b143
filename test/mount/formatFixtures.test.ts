import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import {describe, it} from 'node:test'
import {execa} from 'execa'
import {FORMAT_VERSION} from '../../src/lib/format/constants.js'
import {REPO_ROOT, shmr} from '../helpers/cli.js'
import {sh, shOk} from '../helpers/mounted.js'
import {tempDir} from '../helpers/tempDir.js'

/**
 * Filesystems written by the last build of an older format (test/fixtures/makeFormatFixture.sh):
 * this build must mount, read, verify, decode and shift them.
 */
const FIXTURES = [{version: 3, archivedFileId: 5}, {version: 4, archivedFileId: 5}, {version: 5, archivedFileId: 5}, {version: 6, archivedFileId: 5}]

describe('filesystems of older formats', () => {
  for (const {version, archivedFileId} of FIXTURES) {
    it(`format ${version}: mounts (migrating to format ${FORMAT_VERSION}), reads, verifies, decodes from its shards alone, and shifts`, {timeout: 120_000}, async () => {
      const root = tempDir()
      await execa('tar', ['-xzf', path.join(REPO_ROOT, 'test', 'fixtures', `format${version}.tar.gz`), '-C', root])
      const config = path.join(root, 'shmr.yaml')
      const mnt = path.join(root, 'mnt')
      const manifest = fs.readFileSync(path.join(root, 'MANIFEST'), 'utf8')
      const checkFiles = async (): Promise<void> => {
        assert.equal((await sh(`cd ${mnt} && sha256sum --quiet -c ${root}/MANIFEST`)).exitCode, 0, 'every file reads as it was written')
        assert.equal(await shOk(`readlink ${mnt}/link`), 'd/multi.bin')
        // Small reads away from the front, as a database makes them: format 3 blocks read whole.
        const random = await sh(`python3 -c 'import os, sys
fd = os.open(sys.argv[1], os.O_RDONLY); whole = open(sys.argv[1], "rb").read()
for offset in range(1, len(whole), 7919):
    assert os.pread(fd, 100, offset) == whole[offset:offset + 100], offset' ${mnt}/d/multi.bin`)
        assert.equal(random.exitCode, 0, random.stderr)
      }
      const mounted = await shmr(['mount', '-c', config, '--background'])
      assert.equal(mounted.exitCode, 0, mounted.stderr)
      try {
        await checkFiles()
        await shOk(`mkdir ${mnt}/new && cp ${mnt}/archived.bin ${mnt}/new/copy`)
        assert.equal(await shOk(`cmp ${mnt}/archived.bin ${mnt}/new/copy && echo same`), 'same')
      } finally {
        await shmr(['umount', '-c', config])
      }
      const overview = await shmr(['inspect', 'overview', '-c', config, '--json'])
      assert.equal((JSON.parse(overview.stdout) as {formatVersion: number}).formatVersion, FORMAT_VERSION)
      const verify = await shmr(['verify', '-c', config])
      assert.equal(verify.exitCode, 0, verify.stdout + verify.stderr)

      const decoded = path.join(tempDir(), 'archived.bin')
      const drives = ['smr0', 'smr1', 'smr2'].map((drive) => path.join(root, drive))
      const decode = await shmr(['decode', ...drives, '--file', String(archivedFileId), '-o', decoded])
      assert.equal(decode.exitCode, 0, decode.stderr)
      assert.equal(`${(await shOk(`sha256sum < ${decoded}`)).slice(0, 64)}  archived.bin`, manifest.split('\n').find((line) => line.endsWith('archived.bin')))

      const shifted = await shmr(['shift', '-c', config, '/d/multi.bin'])
      assert.equal(shifted.exitCode, 0, shifted.stderr)
      const again = await shmr(['mount', '-c', config, '--background'])
      assert.equal(again.exitCode, 0, again.stderr)
      try {
        await checkFiles()
      } finally {
        await shmr(['umount', '-c', config])
      }
    })
  }
})
