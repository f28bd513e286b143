import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import {describe, it} from 'node:test'
import {initFilesystem} from '../../src/lib/init/initFilesystem.js'
import type {ShiftReport} from '../../src/lib/shift/runShift.js'
import {shmr} from '../helpers/cli.js'
import {erasure, fixtureConfig} from '../helpers/fixtureFs.js'
import {sh, shOk, withMount} from '../helpers/mounted.js'
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
      for (const [dir, size] of [...config.pools[1]!.drives.map((drive) => [drive.dir!, 16] as const), [added, 64] as const]) {
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

      // Added by mistake and taken out again: the config as it was, the directory empty.
      assert.equal((await shmr(['drive', 'add', '-c', config.file, 'archive', 'smr3', added])).exitCode, 0)
      const removed = await shmr(['drive', 'remove', '-c', config.file, 'smr3'])
      assert.equal(removed.exitCode, 0, removed.stderr)
      assert.equal(fs.readFileSync(config.file, 'utf8'), before)
      assert.deepEqual(fs.readdirSync(added), [])
      const holding = await shmr(['drive', 'remove', '-c', config.file, 'smr0'])
      assert.equal(holding.exitCode, 2, 'the pool would keep 2 drives for 2+1')
      assert.match(holding.stderr, /^shmr: pool archive would keep 2 drive\(s\); its scheme needs 3$/m)
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
      const inUse = await shmr(['drive', 'remove', '-c', config.file, 'smr3'])
      assert.equal(inUse.exitCode, 3)
      assert.match(inUse.stderr, /^shmr: drive smr3 holds shards of \d+ block\(s\)$/m)
      assert.equal((await shmr(['mount', '-c', config.file, '--background'])).exitCode, 0)
      try {
        assert.equal(await shOk(`cmp ${ref}/a ${config.mountpoint}/a && cmp ${ref}/b ${config.mountpoint}/b && echo same`), 'same')
        // While mounted the server adds it (test/mount/drain.test shows it used at once).
        const whileMounted = await shmr(['drive', 'add', '-c', config.file, 'archive', 'smr9', tempDir(), '--json'])
        assert.equal(whileMounted.exitCode, 0, whileMounted.stderr)
        assert.equal((JSON.parse(whileMounted.stdout) as {name: string}).name, 'smr9')
        assert.match(fs.readFileSync(config.file, 'utf8'), /smr9: /)
      } finally {
        await shmr(['umount', '-c', config.file])
      }
    } finally {
      for (const dir of mounted.reverse()) await sh(`umount ${dir}`)
    }
  })
})

describe('shmr drive replace', () => {
  it('a wiped drive replaced at a new path: its shards rebuilt there, each once; verify clean; the files read', {timeout: 120_000}, async () => {
    await withMount({blockSizeBytes: 256 * 1024, archiveBlockSizeBytes: MiB}, async (m) => {
      const ref = tempDir()
      await shOk(`head -c ${5 * MiB} /dev/urandom > ${ref}/a && head -c ${3 * MiB + 7} /dev/urandom > ${ref}/b && cp ${ref}/a ${ref}/b ${m.mnt}/`)
      await m.unmount()
      assert.equal((await shmr(['shift', '-c', m.config.file, '/a', '/b'])).exitCode, 0)
      const old = m.config.pools[1]!.drives[2]!.dir!
      const shardsOf = (dir: string): number => (fs.readdirSync(dir, {recursive: true}) as string[]).filter((name) => name.endsWith('.shard')).length
      const held = shardsOf(old)
      assert.equal(held, 5 + 4, 'one shard of each of the 9 blocks')
      fs.rmSync(old, {recursive: true})
      const fresh = path.join(tempDir(), 'smr2b')
      fs.mkdirSync(fresh)
      const replaced = await shmr(['drive', 'replace', '-c', m.config.file, 'smr2', fresh, '--json'])
      assert.equal(replaced.exitCode, 0, replaced.stdout + replaced.stderr)
      const report = JSON.parse(replaced.stdout) as {to: string; verify: {summary: {shardsRepaired: number}; drivesAdopted: string[]}}
      assert.equal(report.to, fresh)
      assert.deepEqual(report.verify.drivesAdopted, ['smr2'])
      assert.equal(report.verify.summary.shardsRepaired, held, 'every shard rebuilt, once')
      assert.equal(shardsOf(fresh), held)
      assert.match(fs.readFileSync(m.config.file, 'utf8'), new RegExp(`smr2: ${fresh}`))
      const verified = await shmr(['verify', '-c', m.config.file])
      assert.equal(verified.exitCode, 0, verified.stdout + verified.stderr)
      await m.mount()
      assert.equal(await shOk(`cmp ${ref}/a ${m.mnt}/a && cmp ${ref}/b ${m.mnt}/b && echo same`), 'same')
    })
  })

  it('while mounted: the server serves the drive from its new path at once and rebuilds it, reads right throughout', {timeout: 120_000}, async () => {
    await withMount({blockSizeBytes: 256 * 1024, archiveBlockSizeBytes: MiB}, async (m) => {
      const ref = tempDir()
      await shOk(`head -c ${5 * MiB} /dev/urandom > ${ref}/a && head -c ${3 * MiB + 7} /dev/urandom > ${ref}/b && cp ${ref}/a ${ref}/b ${m.mnt}/ && sync ${m.mnt}/a ${m.mnt}/b`)
      assert.equal((await shmr(['shift', '-c', m.config.file, '/a', '/b'])).exitCode, 0)
      const old = m.config.pools[1]!.drives[2]!.dir!
      const held = (fs.readdirSync(old, {recursive: true}) as string[]).filter((name) => name.endsWith('.shard')).length
      fs.rmSync(old, {recursive: true})
      await shOk(`echo 3 > /proc/sys/vm/drop_caches`)
      assert.equal(await shOk(`cmp ${ref}/a ${m.mnt}/a && cmp ${ref}/b ${m.mnt}/b && echo same`), 'same', 'read around the dead drive')
      const fresh = path.join(tempDir(), 'smr2b')
      fs.mkdirSync(fresh)
      const replaced = await shmr(['drive', 'replace', '-c', m.config.file, 'smr2', fresh, '--json'])
      assert.equal(replaced.exitCode, 0, replaced.stdout + replaced.stderr)
      const report = JSON.parse(replaced.stdout) as {from: string; to: string; verify: {mode: string; summary: {shardsRepaired: number}; drivesAdopted: string[]}}
      assert.deepEqual([report.from, report.to, report.verify.mode], [old, fresh, 'online'])
      assert.deepEqual(report.verify.drivesAdopted, ['smr2'])
      assert.equal(report.verify.summary.shardsRepaired, held, 'every shard rebuilt, once')
      assert.equal((fs.readdirSync(fresh, {recursive: true}) as string[]).filter((name) => name.endsWith('.shard')).length, held)
      const busyWrite = await shmr(['drive', 'replace', '-c', m.config.file, 'ssd0', path.join(tempDir())])
      assert.equal(busyWrite.exitCode, 3, 'a write pool drive is not replaced under the mount')
      await m.remount()
      assert.equal(await shOk(`cmp ${ref}/a ${m.mnt}/a && cmp ${ref}/b ${m.mnt}/b && echo same`), 'same')
      await m.unmount()
      const verified = await shmr(['verify', '-c', m.config.file])
      assert.equal(verified.exitCode, 0, verified.stdout + verified.stderr)
    })
  })
})
