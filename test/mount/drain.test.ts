import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import {describe, it} from 'node:test'
import type {StatusReport} from '../../src/lib/control/serverStatus.js'
import type {DrainReport} from '../../src/lib/drives/drainDrive.js'
import {initFilesystem} from '../../src/lib/init/initFilesystem.js'
import {MetaStore} from '../../src/lib/meta/metaStore.js'
import type {VerifyReport} from '../../src/lib/verify/runVerify.js'
import {SHMR_BIN, shmr} from '../helpers/cli.js'
import {erasure, fixtureConfig} from '../helpers/fixtureFs.js'
import {sh, shOk, withMount} from '../helpers/mounted.js'
import {tempDir} from '../helpers/tempDir.js'

const MiB = 1024 * 1024

/** Shard files under a drive directory. */
function shardsIn(dir: string): string[] {
  return (fs.readdirSync(dir, {recursive: true}) as string[]).filter((name) => name.endsWith('.shard'))
}

/** Tombstones on drive `name`: one per shard a drain has moved off it and not yet deleted. */
async function tombstonesOn(metadataDir: string, name: string): Promise<number> {
  const store = await MetaStore.open(metadataDir, {readOnly: true})
  try {
    const id = store.superblock.drives.find((drive) => drive.name === name)!.id
    return store.tombstones.all().filter((tombstone) => tombstone.drive === id).length
  } finally {
    await store.close()
  }
}

describe('shmr drive drain', () => {
  it('moves every shard of 100 files off a drive; killed half way, a rerun finishes; then remove; refusals change nothing', {timeout: 300_000}, async () => {
    await withMount({blockSizeBytes: 256 * 1024, archiveBlockSizeBytes: 256 * 1024, archiveDrives: 7}, async (m) => {
      const ref = tempDir()
      // 100 small files (one block each) and one of 9 blocks, the last short.
      await shOk(`for i in $(seq 1 100); do head -c $((RANDOM * 2 + 1)) /dev/urandom > ${ref}/f$i; done; head -c ${2 * MiB + 12345} /dev/urandom > ${ref}/big`)
      await shOk(`cp -r ${ref} ${m.mnt}/tree`)
      await m.unmount()
      const shifted = await shmr(['shift', '-c', m.config.file, '-r', '/tree'])
      assert.equal(shifted.exitCode, 0, shifted.stderr)
      const drives = m.config.pools[1]!.drives
      const dirOf = (name: string): string => drives.find((drive) => drive.name === name)!.dir!
      const total = drives.reduce((sum, drive) => sum + shardsIn(drive.dir!).length, 0)
      assert.equal(total, (100 + 9) * 6, 'every block 4+2')
      const held = shardsIn(dirOf('smr1')).length
      assert.ok(held >= 60, `smr1 holds shards of many blocks (${held})`)

      const planned = await shmr(['drive', 'drain', '-c', m.config.file, 'smr1', '--dry-run', '--json'])
      assert.equal(planned.exitCode, 0, planned.stderr)
      assert.equal((JSON.parse(planned.stdout) as DrainReport).blocks, held)
      assert.equal(shardsIn(dirOf('smr1')).length, held, 'a dry run moves nothing')

      // Killed half way: some blocks moved (their old shards tombstoned), the rest not.
      const child = spawn(process.execPath, [SHMR_BIN, 'drive', 'drain', '-c', m.config.file, 'smr1', '--rate', '20K'], {stdio: 'ignore'})
      const exited = new Promise((resolve) => child.once('close', resolve))
      try {
        const deadline = Date.now() + 60_000
        while (await tombstonesOn(m.config.metadataDir, 'smr1') < 3 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50))
      } finally {
        child.kill('SIGKILL')
      }
      await exited
      const movedBeforeKill = await tombstonesOn(m.config.metadataDir, 'smr1')
      assert.ok(movedBeforeKill >= 3 && movedBeforeKill < held, `killed half way (${movedBeforeKill} of ${held} moved)`)
      // What a kill between writing a copy and recording it leaves: the copy, on a drive without
      // the block's other shards, that nothing references.
      const [left] = shardsIn(dirOf('smr1')).filter((name) => !name.includes('tmp'))
      const holders = drives.filter((drive) => fs.existsSync(path.join(drive.dir!, left!)))
      const spare = drives.find((drive) => !holders.includes(drive) && drive.name !== 'smr1')
      if (spare) {
        fs.mkdirSync(path.dirname(path.join(spare.dir!, left!)), {recursive: true})
        fs.copyFileSync(path.join(dirOf('smr1'), left!), path.join(spare.dir!, left!))
      }

      const rerun = await shmr(['drive', 'drain', '-c', m.config.file, 'smr1', '--json'])
      assert.equal(rerun.exitCode, 0, rerun.stderr)
      const report = JSON.parse(rerun.stdout) as DrainReport
      assert.equal(report.draining, true)
      assert.equal(report.blocks + movedBeforeKill, held, 'the rerun moved what was left')
      assert.equal(report.shardsRebuilt, 0)
      assert.ok(report.strayShardsRemoved >= (spare ? 1 : 0), 'the unrecorded copy was deleted')
      assert.deepEqual(shardsIn(dirOf('smr1')), [], 'no shard left on smr1')
      assert.equal(drives.reduce((sum, drive) => sum + shardsIn(drive.dir!).length, 0), total, 'every shard exactly once')
      const verified = await shmr(['verify', '-c', m.config.file, '--json'])
      assert.equal(verified.exitCode, 0, verified.stdout + verified.stderr)
      const verify = JSON.parse(verified.stdout) as VerifyReport
      assert.equal(verify.summary.ok, 101)
      assert.equal(verify.metadata!.unreferencedFiles.count, 0, 'no copy left behind')

      // Drained, the drive takes no new shards, while it is still in the pool.
      await m.mount()
      const sums = path.join(tempDir(), 'ref.sha')
      assert.equal(await shOk(`cd ${ref} && sha256sum * > ${sums} && cd ${m.mnt}/tree && sha256sum -c --quiet ${sums} && echo same`), 'same')
      await shOk(`head -c ${MiB} /dev/urandom > ${m.mnt}/new`)
      await m.unmount()
      assert.equal((await shmr(['shift', '-c', m.config.file, '/new'])).exitCode, 0)
      assert.deepEqual(shardsIn(dirOf('smr1')), [])

      const overview = await shmr(['inspect', 'overview', '-c', m.config.file, '--json'])
      const states = (JSON.parse(overview.stdout) as {pools: Array<{drives: Array<{name: string; draining: boolean}>}>}).pools[1]!.drives
      assert.deepEqual(states.filter((drive) => drive.draining).map((drive) => drive.name), ['smr1'])
      const removed = await shmr(['drive', 'remove', '-c', m.config.file, 'smr1'])
      assert.equal(removed.exitCode, 0, removed.stderr)
      // Six drives left for 4+2: a block's shards cannot leave one of them.
      const before = fs.readFileSync(m.config.file, 'utf8')
      const tooFew = await shmr(['drive', 'drain', '-c', m.config.file, 'smr2'])
      assert.equal(tooFew.exitCode, 2, tooFew.stderr)
      assert.match(tooFew.stderr, /^shmr: pool archive would keep too few usable drives: blocks of scheme 4\+2 .* need 6 distinct drives, 5 would be left$/m)
      assert.equal(fs.readFileSync(m.config.file, 'utf8'), before)
      const store = await MetaStore.open(m.config.metadataDir, {readOnly: true})
      try {
        assert.equal(store.superblock.drives.some((drive) => drive.draining), false, 'nothing marked')
      } finally {
        await store.close()
      }
      await m.mount()
      assert.equal(await shOk(`cd ${m.mnt}/tree && sha256sum -c --quiet ${sums} && echo same`), 'same')
    })
  })

  it('refuses when the other drives lack the room, changing nothing; --undo clears the mark', async (t) => {
    if (process.getuid?.() !== 0) return t.skip('needs root to mount tmpfs drives of chosen sizes')
    const root = tempDir()
    const config = fixtureConfig(root, {blockSizeBytes: 256 * 1024, archiveBlockSizeBytes: MiB, archiveDrives: 4, archiveTopology: erasure(2, 1)})
    const mounted: string[] = []
    try {
      for (const drive of config.pools[1]!.drives) {
        await shOk(`mount -t tmpfs -o size=20m shmr-test ${drive.dir!}`)
        mounted.push(drive.dir!)
      }
      await initFilesystem(config)
      assert.equal((await shmr(['mount', '-c', config.file, '--background'])).exitCode, 0)
      try {
        await shOk(`for i in 1 2 3 4 5; do head -c ${8 * MiB} /dev/urandom > ${config.mountpoint}/f$i; done`)
      } finally {
        await shmr(['umount', '-c', config.file])
      }
      assert.equal((await shmr(['shift', '-c', config.file, '-r', '/'])).exitCode, 0)
      const listing = (): string => config.pools[1]!.drives.map((drive) => shardsIn(drive.dir!).sort().join(',')).join('|')
      const before = listing()
      const refused = await shmr(['drive', 'drain', '-c', config.file, 'smr0'])
      assert.equal(refused.exitCode, 6, refused.stderr)
      assert.match(refused.stderr, /^shmr: the other drives of pool archive cannot take the .* of shards on smr0 \(.* free between them, each block's shards on distinct drives\); nothing was moved$/m)
      assert.equal(listing(), before)
      const dry = await shmr(['drive', 'drain', '-c', config.file, 'smr0', '--dry-run'])
      assert.equal(dry.exitCode, 6, 'a dry run says the same')

      // Marked (as by a drain that was then stopped), --undo lets the drive take shards again.
      const store = await MetaStore.open(config.metadataDir)
      try {
        await store.setDraining(store.superblock.drives.find((drive) => drive.name === 'smr3')!.id, true)
      } finally {
        await store.close()
      }
      const undone = await shmr(['drive', 'drain', '-c', config.file, 'smr3', '--undo', '--json'])
      assert.equal(undone.exitCode, 0, undone.stderr)
      assert.equal((JSON.parse(undone.stdout) as DrainReport).draining, false)
      const reopened = await MetaStore.open(config.metadataDir, {readOnly: true})
      try {
        assert.equal(reopened.superblock.drives.some((drive) => drive.draining), false)
      } finally {
        await reopened.close()
      }
    } finally {
      for (const dir of mounted.reverse()) await sh(`umount ${dir}`)
    }
  })
})

describe('shmr drive drain and verify --repair while mounted (inside the server)', () => {
  it('drains a drive while files are read and rewritten; repairs lost shards and adopts a replacement disk; every read right', {timeout: 300_000}, async () => {
    await withMount({blockSizeBytes: MiB, archiveBlockSizeBytes: MiB, archiveDrives: 7}, async (m) => {
      const ref = tempDir()
      await shOk(`for i in $(seq 1 12); do head -c ${3 * MiB} /dev/urandom > ${ref}/g$i; done; head -c ${16 * MiB + 5} /dev/urandom > ${ref}/f; head -c ${3 * MiB} /dev/urandom > ${ref}/new`)
      const sums = path.join(tempDir(), 'online.sha')
      await shOk(`cd ${ref} && sha256sum f g* > ${sums}`)
      await shOk(`cp ${ref}/f ${ref}/g* ${m.mnt}/ && sync ${m.mnt}/f`)
      const shifted = await shmr(['shift', '-c', m.config.file, '-r', '/'])
      assert.equal(shifted.exitCode, 0, shifted.stderr)
      const drives = m.config.pools[1]!.drives
      const dirOf = (name: string): string => drives.find((drive) => drive.name === name)!.dir!
      assert.ok(shardsIn(dirOf('smr1')).length > 20)

      // Readers go round the files (g12 aside: it is rewritten meanwhile) while the drain runs.
      const reader = spawn('bash', ['-c', `cd ${m.mnt} && for i in 1 2 3; do grep -v ' g12$' ${sums} | sha256sum -c --quiet || exit 1; done`], {stdio: 'ignore'})
      const read = new Promise<number | null>((resolve) => reader.once('close', resolve))
      const drain = shmr(['drive', 'drain', '-c', m.config.file, 'smr1', '--rate', '16M', '--json'])
      await new Promise((resolve) => setTimeout(resolve, 300))
      await shOk(`cp ${ref}/new ${m.mnt}/g12 && sync ${m.mnt}/g12`)
      const [drained, readExit] = await Promise.all([drain, read])
      assert.equal(readExit, 0, 'every read during the drain was right')
      assert.equal(drained.exitCode, 0, drained.stdout + drained.stderr)
      const report = JSON.parse(drained.stdout) as DrainReport
      assert.ok(report.shardsMoved > 20 && report.draining, drained.stdout)
      const status = JSON.parse(await shOk(`node ${SHMR_BIN} status -c ${m.config.file} --json`)) as StatusReport
      assert.ok(status.mounted && status.finished.some((task) => task.purpose === 'drain' && task.outcome === 'done'), JSON.stringify(status))
      await shOk(`node ${SHMR_BIN} flush -c ${m.config.file}`)
      assert.deepEqual(shardsIn(dirOf('smr1')), [], 'the old files went once no read used them')
      assert.equal(await shOk(`cmp ${ref}/new ${m.mnt}/g12 && cd ${m.mnt} && grep -v ' g12$' ${sums} | sha256sum -c --quiet && echo same`), 'same')

      // Drives taken out and put in while mounted: the server's pools change at once.
      const removed = await shmr(['drive', 'remove', '-c', m.config.file, 'smr1'])
      assert.equal(removed.exitCode, 0, removed.stderr)
      assert.doesNotMatch(fs.readFileSync(m.config.file, 'utf8'), /smr1:/)
      const added = path.join(tempDir(), 'smr9')
      fs.mkdirSync(added)
      const joined = await shmr(['drive', 'add', '-c', m.config.file, 'archive', 'smr9', added])
      assert.equal(joined.exitCode, 0, joined.stderr)
      await shOk(`head -c ${4 * MiB} /dev/urandom > ${m.mnt}/late && sync ${m.mnt}/late`)
      const late = await shmr(['shift', '-c', m.config.file, '/late', '--json'])
      assert.equal(late.exitCode, 0, late.stderr)
      // The server placed the shards among its pool's drives, smr9 among them (all share one disk
      // here, so free space ties and the lower ids win: test/mount/drives.test has it take shards).
      assert.deepEqual((JSON.parse(late.stdout) as {plan: {drives: Array<{name: string}>}}).plan.drives.map((drive) => drive.name), ['smr0', 'smr2', 'smr3', 'smr4', 'smr5', 'smr6', 'smr9'])
      const writePoolDrive = await shmr(['drive', 'remove', '-c', m.config.file, 'ssd0'])
      assert.notEqual(writePoolDrive.exitCode, 0)
      await m.remount()
      assert.equal(await shOk(`cmp ${ref}/new ${m.mnt}/g12 && cd ${m.mnt} && grep -v ' g12$' ${sums} | sha256sum -c --quiet && echo same`), 'same')

      // Shards lost and damaged under the mount: the repair runs in the server.
      const lost = shardsIn(dirOf('smr2')).slice(0, 5)
      for (const name of lost) fs.rmSync(path.join(dirOf('smr2'), name))
      const [damaged] = shardsIn(dirOf('smr3'))
      fs.writeFileSync(path.join(dirOf('smr3'), damaged!), Buffer.from('not the shard'), {flag: 'r+'})
      const repaired = await shmr(['verify', '-c', m.config.file, '--repair', '--json'])
      assert.equal(repaired.exitCode, 0, repaired.stdout + repaired.stderr)
      const repair = JSON.parse(repaired.stdout) as VerifyReport
      assert.equal(repair.mode, 'online')
      assert.equal(repair.summary.shardsRepaired, lost.length + 1)
      const after = JSON.parse((await shmr(['verify', '-c', m.config.file, '--json'])).stdout) as VerifyReport
      assert.equal(after.summary.ok, after.summary.files, JSON.stringify(after.files.filter((file) => file.status !== 'ok')))

      // A drive gone at the mount, an empty disk put in its place while mounted: adopted at once.
      await m.unmount()
      const held = shardsIn(dirOf('smr4')).length
      fs.renameSync(dirOf('smr4'), `${dirOf('smr4')}.dead`)
      await m.mount()
      const degraded = JSON.parse(await shOk(`node ${SHMR_BIN} status -c ${m.config.file} --json`)) as StatusReport
      assert.ok(degraded.mounted && degraded.degraded?.drives.some((drive) => drive.name === 'smr4'), JSON.stringify(degraded))
      fs.mkdirSync(dirOf('smr4'))
      const adopted = await shmr(['verify', '-c', m.config.file, '--repair', '--json'])
      assert.equal(adopted.exitCode, 0, adopted.stdout + adopted.stderr)
      const adoption = JSON.parse(adopted.stdout) as VerifyReport
      assert.deepEqual(adoption.drivesAdopted, ['smr4'])
      assert.equal(adoption.summary.shardsRepaired, held)
      assert.equal(shardsIn(dirOf('smr4')).length, held)
      const healthy = JSON.parse(await shOk(`node ${SHMR_BIN} status -c ${m.config.file} --json`)) as StatusReport
      assert.ok(healthy.mounted && healthy.degraded === undefined, JSON.stringify(healthy))
      await m.remount()
      assert.equal(await shOk(`cmp ${ref}/new ${m.mnt}/g12 && cd ${m.mnt} && grep -v ' g12$' ${sums} | sha256sum -c --quiet && echo same`), 'same')
      await m.unmount()
      const clean = await shmr(['verify', '-c', m.config.file, '--json'])
      assert.equal(clean.exitCode, 0, clean.stdout)
      assert.equal((JSON.parse(clean.stdout) as VerifyReport).metadata!.unreferencedFiles.count, 0)
    })
  })
})
