import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import {describe, it} from 'node:test'
import {initFilesystem} from '../../src/lib/init/initFilesystem.js'
import type {ShiftReport} from '../../src/lib/shift/runShift.js'
import {shmr} from '../helpers/cli.js'
import {erasure, fixtureConfig} from '../helpers/fixtureFs.js'
import {sh, shOk} from '../helpers/mounted.js'
import {tempDir} from '../helpers/tempDir.js'

const MiB = 1024 * 1024

describe('shmr drive add', () => {
  it('a drive added to a filling pool takes the next shards; refusals change nothing', async (t) => {
    if (process.getuid?.() !== 0) return t.skip('needs root to mount tmpfs drives of chosen sizes')
    const root = tempDir()
    const config = fixtureConfig(root, {blockSizeBytes: 256 * 1024, archiveBlockSizeBytes: MiB, archiveDrives: 3, archiveTopology: erasure(2, 1)})
    const added = path.join(root, 'archive', 'smr3')
    fs.mkdirSync(added)
    const mounted: string[] = []
    try {
      for (const [dir, size] of [...config.pools[1]!.drives.map((drive) => [drive.dir, 16] as const), [added, 64] as const]) {
        await shOk(`mount -t tmpfs -o size=${size}m shmr-test ${dir}`)
        mounted.push(dir)
      }
      await initFilesystem(config)
      const ref = tempDir()
      await shOk(`head -c ${8 * MiB} /dev/urandom > ${ref}/a && head -c ${8 * MiB} /dev/urandom > ${ref}/b`)
      const put = async (name: string): Promise<void> => {
        assert.equal((await shmr(['mount', '-c', config.file, '--background'])).exitCode, 0)
        try {
          await shOk(`cp ${ref}/${name} ${config.mountpoint}/`)
        } finally {
          await shmr(['umount', '-c', config.file])
        }
      }
      await put('a')
      assert.equal((await shmr(['shift', '-c', config.file, '/a'])).exitCode, 0)

      const before = fs.readFileSync(config.file, 'utf8')
      fs.writeFileSync(path.join(root, 'stray'), 'x')
      const refusals: Array<[string[], number, RegExp]> = [
        [['archive', 'smr0', added], 2, /^shmr: a drive named smr0 is in the config already$/m],
        [['nopool', 'smr3', added], 2, /^shmr: there is no pool named nopool$/m],
        [['archive', 'smr3', root], 3, /^shmr: .* is not empty \(holds /m],
        [['archive', 'bad name', added], 2, /^shmr: drive name "bad name" must be/m],
      ]
      for (const [args, exitCode, message] of refusals) {
        const refused = await shmr(['drive', 'add', '-c', config.file, ...args])
        assert.equal(refused.exitCode, exitCode, `${args.join(' ')}: ${refused.stderr}`)
        assert.match(refused.stderr, message)
      }
      assert.equal(fs.readFileSync(config.file, 'utf8'), before, 'the config is as it was')
      assert.deepEqual(fs.readdirSync(added), [], 'the new drive is untouched')

      const result = await shmr(['drive', 'add', '-c', config.file, 'archive', 'smr3', added, '--json'])
      assert.equal(result.exitCode, 0, result.stderr)
      assert.equal(JSON.parse(result.stdout).name, 'smr3')
      assert.match(fs.readFileSync(config.file, 'utf8'), new RegExp(`smr3: ${added}`))
      await put('b')
      const shifted = await shmr(['shift', '-c', config.file, '/b', '--json'])
      assert.equal(shifted.exitCode, 0, shifted.stderr)
      assert.ok(((JSON.parse(shifted.stdout) as ShiftReport).bytesWrittenByDrive.smr3 ?? 0) > 0, 'the new, emptiest drive took shards')
      const verified = await shmr(['verify', '-c', config.file])
      assert.equal(verified.exitCode, 0, verified.stdout + verified.stderr)
      assert.equal((await shmr(['mount', '-c', config.file, '--background'])).exitCode, 0)
      try {
        assert.equal(await shOk(`cmp ${ref}/a ${config.mountpoint}/a && cmp ${ref}/b ${config.mountpoint}/b && echo same`), 'same')
        const whileMounted = await shmr(['drive', 'add', '-c', config.file, 'archive', 'smr9', tempDir()])
        assert.equal(whileMounted.exitCode, 3)
        assert.match(whileMounted.stderr, /is mounted at/)
      } finally {
        await shmr(['umount', '-c', config.file])
      }
    } finally {
      for (const dir of mounted.reverse()) await sh(`umount ${dir}`)
    }
  })
})
