import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import {describe, it} from 'node:test'
import {initFilesystem} from '../../src/lib/init/initFilesystem.js'
import {MetaStore} from '../../src/lib/meta/metaStore.js'
import {SHMR_BIN, shmr} from '../helpers/cli.js'
import {fixtureConfig} from '../helpers/fixtureFs.js'
import {sh, shOk, withMount, type MountedFs} from '../helpers/mounted.js'
import {killOnceStaged} from '../helpers/staged.js'
import {tempDir} from '../helpers/tempDir.js'

const KiB = 1024
const MiB = 1024 * KiB
/** Small blocks keep the files small: 64 KiB on the write pool, 256 KiB (64 KiB shards at 4+2) on the archive. */
const OPTIONS = {blockSizeBytes: 64 * KiB, archiveBlockSizeBytes: 256 * KiB}

async function digests(dir: string, names: readonly string[]): Promise<string[]> {
  return Promise.all(names.map(async (name) => (await shOk(`sha256sum < ${dir}/${name}`)).split(' ')[0]!))
}

async function shift(m: MountedFs, ...args: string[]) {
  return shmr(['shift', '-c', m.config.file, ...args])
}

/** Shard files per drive directory of a pool, by name pattern. */
function shardFiles(m: MountedFs, pool: number, pattern = /\.shard$/): string[] {
  return m.config.pools[pool]!.drives.flatMap((drive) => (fs.readdirSync(drive.dir!, {recursive: true}) as string[])
    .filter((file) => pattern.test(file)).map((file) => path.join(drive.dir!, file)))
}

describe('shmr shift', () => {
  it('moves files of awkward sizes to the archive, 4+2, re-blocked, and they read back identically', async () => {
    await withMount(OPTIONS, async (m) => {
      // 256K+1: a second block of one byte (its last data shards are all padding); 1M-5: a short last shard.
      // No zero bytes: a block of one zero byte is a hole, which shift skips (it failed CI once,
      // counting 20 blocks: 1 chance in 128 that tiny's byte or edge's last was 0).
      const sizes: Record<string, number> = {tiny: 1, edge: 256 * KiB + 1, short: MiB - 5, big: 3 * MiB + 12345}
      await shOk(`mkdir ${m.mnt}/dir && ${Object.entries(sizes).map(([name, size]) => `head -c ${size} /dev/urandom | tr '\\0' '\\1' > ${m.mnt}/dir/${name}`).join(' && ')}`)
      await shOk(`truncate -s 10M ${m.mnt}/dir/sparse && printf x | dd of=${m.mnt}/dir/sparse bs=1 seek=$((6*1024*1024)) conv=notrunc status=none`)
      const names = [...Object.keys(sizes), 'sparse']
      const before = await digests(`${m.mnt}/dir`, names)
      // Dry runs only read: they plan beside the running mount, from what it has committed.
      await shOk(`sync ${m.mnt}/dir/* ${m.mnt}/dir`)
      const dryMounted = await shift(m, '-r', '/dir', '--dry-run', '--json')
      assert.equal(dryMounted.exitCode, 0, dryMounted.stderr)
      assert.equal(JSON.parse(dryMounted.stdout).plan.files.length, 5)
      for (const [command, ...args] of [['gc', '--dry-run'], ['rewrite', '-r', '/dir', '--block-size', '512K', '--dry-run']]) {
        const dry = await shmr([command!, '-c', m.config.file, ...args])
        assert.equal(dry.exitCode, 0, `${command} ${args.join(' ')}: ${dry.stderr}`)
      }
      await m.unmount()

      const dry = await shift(m, '-r', '/dir', '--dry-run', '--json')
      assert.equal(dry.exitCode, 0, dry.stderr)
      assert.equal(JSON.parse(dry.stdout).plan.files.length, 5)
      assert.equal(shardFiles(m, 1).length, 0, 'a dry run writes nothing')

      const result = await shift(m, '-r', '/dir', '--json')
      assert.equal(result.exitCode, 0, result.stderr)
      const report = JSON.parse(result.stdout)
      assert.equal(report.files.shifted, 5)
      assert.equal(report.destination.scheme, '4+2')
      // tiny 1, edge 2, short 4, big 13, sparse 1 (its only non-zero block): 21 blocks of 6 shards.
      assert.equal(report.blocks.written, 21)
      assert.equal(shardFiles(m, 1).length, 21 * 6)
      assert.equal(shardFiles(m, 1, /\.e4p2\.p1\./).length, 21, 'every block has its parity shards')
      assert.equal(shardFiles(m, 0).length, 0, 'the old block files are gone')

      const again = await shift(m, '-r', '/dir', '--json')
      assert.equal(JSON.parse(again.stdout).files.skipped, 5, 'files already there are skipped')
      await m.mount()
      assert.deepEqual(await digests(`${m.mnt}/dir`, names), before)
      assert.equal(Number((await shOk(`du -B1 ${m.mnt}/dir/sparse`)).split('\t')[0]) <= 256 * KiB, true, 'holes stay holes')

      // And back to the write pool, cut into its small blocks again.
      await m.unmount()
      const back = await shift(m, '-r', '/dir', '--to', 'write', '--json')
      assert.equal(back.exitCode, 0, back.stderr)
      assert.equal(shardFiles(m, 1).length, 0)
      await m.mount()
      assert.deepEqual(await digests(`${m.mnt}/dir`, names), before)
    })
  })

  it('reads through lost and flipped shards, and fails past parity naming the block', async () => {
    await withMount(OPTIONS, async (m) => {
      await shOk(`head -c ${MiB} /dev/urandom > ${m.mnt}/f`)
      const [before] = await digests(m.mnt, ['f'])
      await m.unmount()
      assert.equal((await shift(m, '/f', '--scheme', '3+2', '--jobs', '2')).exitCode, 0, 'encoded on two worker threads')
      const block0 = shardFiles(m, 1, /^.*i2\.b0\./).sort()
      assert.equal(block0.length, 5)
      fs.rmSync(block0.find((file) => /\.d1\./.test(file))!)
      const flipped = block0.find((file) => /\.p0\./.test(file))!
      fs.writeFileSync(flipped, Buffer.from(fs.readFileSync(flipped).map((byte, i) => (i === 3 ? byte ^ 1 : byte))))
      await m.mount()
      assert.deepEqual(await digests(m.mnt, ['f']), [before])
      await m.unmount()
      fs.rmSync(block0.find((file) => /\.d2\./.test(file))!)
      await m.mount()
      const lost = await sh(`cat ${m.mnt}/f > /dev/null`)
      assert.match(lost.stderr, /Input\/output error/)
      assert.match(fs.readFileSync(`${m.config.metadataDir}/mount.log`, 'utf8'), /file 2 block 0 \(3\+2\) cannot be read/)
    })
  })

  it('survives kill -9 part way: the file reads as before, and a rerun finishes without leftovers', async () => {
    await withMount(OPTIONS, async (m) => {
      await shOk(`head -c ${12 * MiB} /dev/urandom > ${m.mnt}/film`)
      const [before] = await digests(m.mnt, ['film'])
      await m.unmount()
      await killOnceStaged(m.config.metadataDir, ['shift', '-c', m.config.file, '/film', '--rate', '2M'])
      const mountWhileShiftDied = await shmr(['mount', '-c', m.config.file, '--background'])
      assert.equal(mountWhileShiftDied.exitCode, 0, 'a dead shift leaves no lock behind')
      assert.deepEqual(await digests(m.mnt, ['film']), [before], 'unchanged until the swap')
      await m.unmount()

      const rerun = await shift(m, '/film', '--json')
      assert.equal(rerun.exitCode, 0, rerun.stderr)
      const report = JSON.parse(rerun.stdout)
      assert.ok(report.blocks.reused > 0, 'finished blocks were not redone')
      assert.equal(report.blocks.reused + report.blocks.written, 48)
      assert.equal(shardFiles(m, 1).length, 48 * 6, 'no shard left over from the killed run')
      const store = await MetaStore.open(m.config.metadataDir, {readOnly: true})
      try {
        assert.equal(store.staged.count(), 0)
        assert.equal(store.tombstones.count(), 0)
      } finally {
        await store.close()
      }
      await m.mount()
      assert.deepEqual(await digests(m.mnt, ['film']), [before])
    })
  })

  it('says on Ctrl-C that nothing is lost and a rerun resumes, and the rerun does', async () => {
    await withMount(OPTIONS, async (m) => {
      await shOk(`head -c ${12 * MiB} /dev/urandom > ${m.mnt}/film`)
      const [before] = await digests(m.mnt, ['film'])
      await m.unmount()
      const interrupted = await killOnceStaged(m.config.metadataDir, ['shift', '-c', m.config.file, '/film', '--rate', '2M'], 'SIGINT')
      assert.equal(interrupted.exitCode, 130, interrupted.stderr)
      assert.match(interrupted.stderr, /^shmr: shift interrupted: nothing is lost: .*; run the same command again to resume\n$/)
      const rerun = await shift(m, '/film', '--json')
      assert.equal(rerun.exitCode, 0, rerun.stderr)
      assert.ok(JSON.parse(rerun.stdout).blocks.reused > 0, 'the rerun resumed')
      await m.mount()
      assert.deepEqual(await digests(m.mnt, ['film']), [before])
    })
  })

  it('moves its progress bar block by block, not a batch of 16 at a time', async () => {
    await withMount(OPTIONS, async (m) => {
      // 12 archive blocks: fewer than a batch, so a bar moved by batches would jump from 0 to 100%.
      await shOk(`head -c ${3 * MiB} /dev/urandom > ${m.mnt}/f`)
      await m.unmount()
      // script(1) gives the command a terminal, as a user has: the bar shows only there.
      const run = await sh(`script -qec "node ${SHMR_BIN} shift -c ${m.config.file} /f --rate 2M --jobs 1" /dev/null`)
      assert.equal(run.exitCode, 0, run.stdout)
      const shown = [...run.stdout.matchAll(/shift .*? (\d+)% \|/g)].map((match) => Number(match[1]))
      // 11 steps between 0 and 100% over about 2 s (--rate); batches showed none but the first.
      const between = new Set(shown.filter((percent) => percent > 0 && percent < 100))
      assert.ok(between.size >= 3, `the bar showed ${[...new Set(shown)].join(', ')}%`)
      assert.match(run.stdout, / 0% \| 0B of 3M \| 0B\/s \| ETA …/, 'no ETA before bytes move')
    })
  })

  it('reads each source byte once whatever --jobs, cutting large blocks into small ones', async () => {
    await withMount(OPTIONS, async (m) => {
      await shOk(`head -c ${4 * MiB + 12345} /dev/urandom > ${m.mnt}/f`)
      const [before] = await digests(m.mnt, ['f'])
      await m.unmount()
      for (const jobs of ['1', '2', '4']) {
        const archived = await shift(m, '/f', '--json', '--jobs', jobs)
        assert.equal(archived.exitCode, 0, archived.stderr)
        assert.equal(JSON.parse(archived.stdout).bytesRead, 4 * MiB + 12345, `to the archive, --jobs ${jobs}`)
        // Back to the write pool: every 256 KiB block is cut into four of 64 KiB, by several jobs.
        const back = await shift(m, '/f', '--json', '--to', 'write', '--jobs', jobs)
        assert.equal(back.exitCode, 0, back.stderr)
        assert.equal(JSON.parse(back.stdout).bytesRead, 4 * MiB + 12345, `back to the write pool, --jobs ${jobs}`)
      }
      await m.mount()
      assert.deepEqual(await digests(m.mnt, ['f']), [before])
    })
  })

  it('refuses a mount while it runs', async () => {
    await withMount(OPTIONS, async (m) => {
      await shOk(`head -c ${4 * MiB} /dev/urandom > ${m.mnt}/f`)
      await m.unmount()
      const child = spawn(process.execPath, [SHMR_BIN, 'shift', '-c', m.config.file, '/f', '--rate', '1M'], {stdio: 'ignore'})
      const exited = new Promise((resolve) => child.once('exit', resolve))
      try {
        for (let i = 0; i < 100 && !fs.existsSync(`${m.config.metadataDir}/shmr.lock`); i++) await new Promise((resolve) => setTimeout(resolve, 50))
        const mount = await shmr(['mount', '-c', m.config.file])
        assert.equal(mount.exitCode, 3)
        assert.match(mount.stderr, /is in use by shmr shift \(PID \d+/)
      } finally {
        child.kill('SIGKILL')
        await exited
      }
    })
  })
})

describe('shift placement on drives of unequal size', () => {
  it('fills bigger drives with more shards, and refuses a job that does not fit before writing anything', async (t) => {
    if (process.getuid?.() !== 0) return t.skip('needs root to mount tmpfs drives of chosen sizes')
    const root = tempDir()
    const sizes = [8, 8, 8, 8, 32, 32, 32, 32] // MiB, 160 in all; 4+2 over 8 drives
    const config = fixtureConfig(root, {...OPTIONS, archiveDrives: sizes.length})
    const mounted: string[] = []
    try {
      for (const [i, size] of sizes.entries()) {
        await shOk(`mount -t tmpfs -o size=${size}m shmr-test ${config.pools[1]!.drives[i]!.dir!}`)
        mounted.push(config.pools[1]!.drives[i]!.dir!)
      }
      await initFilesystem(config)
      await withMountOf(config, async (mnt) => shOk(`head -c ${8 * MiB} /dev/urandom > ${mnt}/f && head -c ${100 * MiB} /dev/urandom > ${mnt}/g`))
      const result = await shmr(['shift', '-c', config.file, '/f', '--json'])
      assert.equal(result.exitCode, 0, result.stderr)
      const written: Record<string, number> = JSON.parse(result.stdout).bytesWrittenByDrive
      const small = ['smr0', 'smr1', 'smr2', 'smr3'].map((name) => written[name] ?? 0)
      const big = ['smr4', 'smr5', 'smr6', 'smr7'].map((name) => written[name] ?? 0)
      assert.ok(Math.min(...big) > Math.max(...small), `big drives ${big} vs small ${small}`)
      // 100 MiB more needs 150 MiB of shards, more than the drives have left.
      const before = mounted.map((dir) => fs.readdirSync(dir, {recursive: true}).length)
      const tooBig = await shmr(['shift', '-c', config.file, '/g'])
      assert.equal(tooBig.exitCode, 6, tooBig.stderr)
      assert.match(tooBig.stderr, /^shmr: pool archive has too little room for this job .* nothing was written/)
      assert.deepEqual(mounted.map((dir) => fs.readdirSync(dir, {recursive: true}).length), before)
    } finally {
      for (const dir of mounted) await sh(`umount ${dir}`)
    }
  })
})

/** Mounts a config in the background for `body`, then unmounts. */
async function withMountOf(config: ReturnType<typeof fixtureConfig>, body: (mnt: string) => Promise<unknown>): Promise<void> {
  const mounted = await shmr(['mount', '-c', config.file, '--background'])
  assert.equal(mounted.exitCode, 0, mounted.stderr)
  try {
    await body(config.mountpoint)
  } finally {
    await shmr(['umount', '-c', config.file])
  }
}
