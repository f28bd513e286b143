import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import {describe, it} from 'node:test'
import type {StatusReport} from '../../src/lib/control/serverStatus.js'
import type {ShiftReport} from '../../src/lib/shift/runShift.js'
import type {VerifyReport} from '../../src/lib/verify/runVerify.js'
import {SHMR_BIN, shmr} from '../helpers/cli.js'
import {sh, shOk, withMount, type MountedFs} from '../helpers/mounted.js'
import {waitForStaged} from '../helpers/staged.js'
import {verifyClean} from '../helpers/verifyClean.js'
import {tempDir} from '../helpers/tempDir.js'
import {fixtureConfig} from '../helpers/fixtureFs.js'
import {initFilesystem} from '../../src/lib/init/initFilesystem.js'

const MiB = 1024 * 1024
/** 1 MiB blocks on the write pool, 4 MiB on the archive (4+2): a 64 MiB file is 16 archive blocks. */
const ONLINE = {blockSizeBytes: MiB, archiveBlockSizeBytes: 4 * MiB, mount: {cacheBytes: 64 * MiB}}
const FILE_BYTES = 64 * MiB
/** The size for the move under a reader and a writer: 75 archive blocks. */
const MOVED_BYTES = 300 * MiB
const PATCH_AT = 10 * MiB
const PATCH_BYTES = 2 * MiB

/**
 * Reads FILE from start to end PASSES times, 1 MiB at a time, checking every 4 KiB page against
 * REF or, inside the patched range, against REF or PATCHED (an overwrite runs meanwhile): any
 * other byte is a wrong read. Prints the passes made.
 */
const READER = `
import sys
path, ref, patched, passes = sys.argv[1], open(sys.argv[2], 'rb').read(), open(sys.argv[3], 'rb').read(), int(sys.argv[4])
lo, hi = ${PATCH_AT}, ${PATCH_AT + PATCH_BYTES}
for p in range(passes):
    with open(path, 'rb') as f:
        offset = 0
        while True:
            chunk = f.read(1 << 20)
            if not chunk: break
            for page in range(0, len(chunk), 4096):
                at = offset + page
                got = chunk[page:page + 4096]
                if got != ref[at:at + len(got)] and not (lo <= at < hi and got == patched[at:at + len(got)]):
                    sys.exit(f'pass {p}: wrong bytes at {at}')
            offset += len(chunk)
        if offset != len(ref): sys.exit(f'pass {p}: read {offset} bytes')
print(passes)
`

function run(args: readonly string[]): {done: Promise<{exitCode: number | null; stdout: string; stderr: string}>; pid: number} {
  const child = spawn(args[0]!, args.slice(1), {stdio: ['ignore', 'pipe', 'pipe']})
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString() })
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
  return {pid: child.pid!, done: new Promise((resolve) => child.once('close', (exitCode) => resolve({exitCode, stdout, stderr})))}
}

describe('shift while mounted (inside the server)', () => {
  it('moves a file while one process reads it and another overwrites part of it: every read is right, the result is the overwritten file, on the archive', {timeout: 180_000}, async () => {
    await withMount(ONLINE, async (m) => {
      const work = tempDir()
      const [ref, patch, patched] = ['ref', 'patch', 'patched'].map((name) => path.join(work, name)) as [string, string, string]
      await shOk(`head -c ${MOVED_BYTES} /dev/urandom > ${ref} && head -c ${PATCH_BYTES} /dev/urandom > ${patch} && cp ${ref} ${patched} && dd if=${patch} of=${patched} bs=1M seek=${PATCH_AT / MiB} conv=notrunc status=none`)
      await shOk(`cp ${ref} ${m.mnt}/f && sync ${m.mnt}/f`)
      const reader = run(['python3', '-c', READER, `${m.mnt}/f`, ref, patched, '3'])
      const shift = run([process.execPath, SHMR_BIN, 'shift', '-c', m.config.file, '/f', '--json', '--jobs', '1', '--rate', '40M'])
      await new Promise((resolve) => setTimeout(resolve, 300))
      await shOk(`dd if=${patch} of=${m.mnt}/f bs=1M seek=${PATCH_AT / MiB} conv=notrunc,fsync status=none`)
      const [read, shifted] = await Promise.all([reader.done, shift.done])
      assert.equal(read.exitCode, 0, read.stderr)
      assert.equal(read.stdout.trim(), '3')
      assert.equal(shifted.exitCode, 0, shifted.stderr)
      const report = JSON.parse(shifted.stdout) as ShiftReport
      assert.deepEqual(report.files, {shifted: 1, skipped: 0, busy: 0})
      assert.equal(await shOk(`cmp ${m.mnt}/f ${patched} && echo same`), 'same')
      const where = JSON.parse(await shOk(`getfattr -n user.shmr.location --only-values ${m.mnt}/f`)) as {parts: Array<{pool: string; bytes: number}>; protected: boolean}
      assert.deepEqual(where.parts.map((part) => part.pool), ['archive'], 'the overwrite was moved too, not left on stale shards')
      await m.remount()
      assert.equal(await shOk(`cmp ${m.mnt}/f ${patched} && echo same`), 'same')
      await verifyClean(m)
    })
  })

  it('a file written to after blocks of its move were staged is moved again: the new bytes end on the archive, and the progress counts the file once', {timeout: 180_000}, async () => {
    await withMount({...ONLINE, archiveBlockSizeBytes: MiB}, async (m) => {
      const work = tempDir()
      const [ref, patched] = ['ref', 'patched'].map((name) => path.join(work, name)) as [string, string]
      await shOk(`head -c ${FILE_BYTES} /dev/urandom > ${ref} && cp ${ref} ${patched} && head -c ${MiB} /dev/urandom | dd of=${patched} bs=1M seek=2 conv=notrunc status=none`)
      await shOk(`cp ${ref} ${m.mnt}/f && sync ${m.mnt}/f`)
      const shift = run([process.execPath, SHMR_BIN, 'shift', '-c', m.config.file, '/f', '--json', '--jobs', '1', '--rate', '16M'])
      assert.ok(await waitForStaged(m.config.metadataDir, 4) >= 4, 'blocks of the move were staged')
      // Blocks already staged (the third among them) are now stale: the swap finds the block map changed.
      await shOk(`dd if=${patched} of=${m.mnt}/f bs=1M skip=2 seek=2 count=1 conv=notrunc,fsync status=none`)
      const shifted = await shift.done
      assert.equal(shifted.exitCode, 0, shifted.stderr)
      assert.deepEqual((JSON.parse(shifted.stdout) as ShiftReport).files, {shifted: 1, skipped: 0, busy: 0})
      const status = JSON.parse(await shOk(`node ${SHMR_BIN} status -c ${m.config.file} --json`)) as StatusReport
      const task = status.mounted ? status.finished.at(-1) : undefined
      assert.ok(task && task.doneBytes === FILE_BYTES && task.totalBytes === FILE_BYTES, `the progress ended at ${task?.doneBytes} of ${task?.totalBytes} bytes`)
      assert.equal(await shOk(`cmp ${m.mnt}/f ${patched} && echo same`), 'same')
      const where = JSON.parse(await shOk(`getfattr -n user.shmr.location --only-values ${m.mnt}/f`)) as {parts: Array<{pool: string}>}
      assert.deepEqual(where.parts.map((part) => part.pool), ['archive'])
      await m.remount()
      assert.equal(await shOk(`cmp ${m.mnt}/f ${patched} && echo same`), 'same')
      await verifyClean(m)
    })
  })

  /** Where the kill lands: shard files written, none staged yet; blocks staged; the block map swapped (the move's end not reached, or just). */
  const KILL_POINTS = {
    'shards written': async (m: MountedFs): Promise<boolean> => {
      for (let i = 0; i < 300; i++) {
        const written = m.config.pools[1]!.drives.some((drive) => (fs.readdirSync(drive.dir!, {recursive: true}) as string[]).some((name) => name.endsWith('.shard')))
        if (written) return await waitForStaged(m.config.metadataDir, 1, 0) === 0
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
      return false
    },
    staged: async (m: MountedFs): Promise<boolean> => await waitForStaged(m.config.metadataDir, 2) >= 2,
    swapped: async (m: MountedFs): Promise<boolean> => {
      for (let i = 0; i < 600; i++) {
        const where = JSON.parse(await shOk(`getfattr -n user.shmr.location --only-values ${m.mnt}/f`)) as {parts: Array<{pool: string}>}
        if (where.parts.every((part) => part.pool === 'archive')) return true
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
      return false
    },
  }

  for (const [point, reached] of Object.entries(KILL_POINTS)) {
    it(`kill -9 of the server while it moves a file (${point}): remount, verify is clean, the rerun finishes, the bytes are the same`, {timeout: 180_000}, async () => {
      // 1 MiB archive blocks: 64 of them, staged 16 at a time, so each point lasts long enough to be caught.
      await withMount({...ONLINE, archiveBlockSizeBytes: MiB}, async (m) => {
        const ref = path.join(tempDir(), 'ref')
        await shOk(`head -c ${FILE_BYTES} /dev/urandom > ${ref} && cp ${ref} ${m.mnt}/f && sync ${m.mnt}/f`)
        const shift = run([process.execPath, SHMR_BIN, 'shift', '-c', m.config.file, '/f', '--jobs', '1', '--rate', '8M'])
        assert.ok(await reached(m), `the kill point (${point}) was reached`)
        if (point === 'staged') {
          const status = JSON.parse(await shOk(`node ${SHMR_BIN} status -c ${m.config.file} --json`)) as StatusReport
          assert.ok(status.mounted && status.tasks.length === 1 && status.tasks[0]!.purpose === 'shift', JSON.stringify(status))
          const second = await shmr(['shift', '-c', m.config.file, '/f'])
          assert.equal(second.exitCode, 3, 'one move at a time')
          assert.match(second.stderr, /^shmr: a shift runs in the server already/)
        }
        m.kill()
        await shift.done
        await m.mountAfterKill()
        assert.equal(await shOk(`cmp ${m.mnt}/f ${ref} && echo same`), 'same')
        await verifyClean(m)
        const rerun = await shmr(['shift', '-c', m.config.file, '/f', '--json'])
        assert.equal(rerun.exitCode, 0, rerun.stderr)
        const files = (JSON.parse(rerun.stdout) as ShiftReport).files
        assert.equal(files.shifted + files.skipped, 1, JSON.stringify(files))
        if (point !== 'swapped') assert.equal(files.shifted, 1, 'the rerun finished the move')
        assert.equal(await shOk(`cmp ${m.mnt}/f ${ref} && echo same`), 'same')
        await m.unmount()
        await verifyClean(m)
        const gc = await shmr(['gc', '-c', m.config.file, '--grace', '0s', '--json'])
        assert.equal(gc.exitCode, 0, gc.stderr)
        const after = JSON.parse((await shmr(['verify', '-c', m.config.file, '--json'])).stdout) as VerifyReport
        assert.equal(after.metadata!.unreferencedFiles.count, 0, 'what the kill left, gc took')
        await m.mount()
        assert.equal(await shOk(`cmp ${m.mnt}/f ${ref} && echo same`), 'same')
      })
    })
  }

  it('leaves a file that stays open for the next run, and says so', {timeout: 120_000}, async () => {
    await withMount(ONLINE, async (m) => {
      await shOk(`head -c ${4 * MiB} /dev/urandom > ${m.mnt}/held && head -c ${MiB} /dev/urandom > ${m.mnt}/free`)
      // Held open for longer than a move waits (30 s) for a file to be let go.
      const holder = run(['bash', '-c', `exec 3<${m.mnt}/held; sleep 45`])
      try {
        const shifted = await sh(`node ${SHMR_BIN} shift -c ${m.config.file} /held /free`)
        assert.equal(shifted.exitCode, 0, shifted.stderr)
        assert.match(shifted.stdout, /^Shifted 1 file\(s\) /m)
        assert.match(shifted.stdout, /^ {2}1 file\(s\) in use \(open or being written\) were left as they are: run it again once they are closed$/m)
        const where = (name: string): Promise<string> => shOk(`getfattr -n user.shmr.location --only-values ${m.mnt}/${name}`)
        assert.deepEqual((JSON.parse(await where('free')) as {parts: Array<{pool: string}>}).parts.map((part) => part.pool), ['archive'])
        assert.deepEqual((JSON.parse(await where('held')) as {parts: Array<{pool: string}>}).parts.map((part) => part.pool), ['write'])
      } finally {
        process.kill(holder.pid, 'SIGKILL')
      }
      await verifyClean(m)
      assert.ok(fs.existsSync(`${m.mnt}/held`))
    })
  })

  it('shmr cancel stops a move at its next block; status lists it as cancelled; the rerun finishes it', {timeout: 120_000}, async () => {
    await withMount({...ONLINE, archiveBlockSizeBytes: MiB}, async (m) => {
      const ref = path.join(tempDir(), 'ref')
      await shOk(`head -c ${FILE_BYTES} /dev/urandom > ${ref} && cp ${ref} ${m.mnt}/f && sync ${m.mnt}/f`)
      const shift = run([process.execPath, SHMR_BIN, 'shift', '-c', m.config.file, '/f', '--jobs', '1', '--rate', '8M'])
      assert.ok(await waitForStaged(m.config.metadataDir, 1) >= 1, 'the server staged blocks')
      const cancelled = await shmr(['cancel', '-c', m.config.file])
      assert.equal(cancelled.exitCode, 0, cancelled.stderr)
      assert.match(cancelled.stdout, /^stopping task 1 \(shift\) at its next block$/)
      const stopped = await shift.done
      assert.equal(stopped.exitCode, 3)
      assert.match(stopped.stderr, /shmr: shift stopped: cancelled by shmr cancel\nhint: nothing is lost/)
      const status = JSON.parse(await shOk(`node ${SHMR_BIN} status -c ${m.config.file} --json`)) as StatusReport
      assert.ok(status.mounted)
      assert.deepEqual(status.tasks, [])
      assert.deepEqual(status.finished.map((task) => [task.id, task.purpose, task.outcome]), [[1, 'shift', 'cancelled']])
      const none = await shmr(['cancel', '-c', m.config.file])
      assert.equal(none.exitCode, 2)
      assert.match(none.stderr, /^shmr: no task runs in the server$/m)
      const rerun = await shmr(['shift', '-c', m.config.file, '/f', '--json'])
      assert.equal(rerun.exitCode, 0, rerun.stderr)
      assert.ok((JSON.parse(rerun.stdout) as ShiftReport).blocks.reused > 0, 'the blocks staged before the cancel were kept')
      assert.equal(await shOk(`cmp ${m.mnt}/f ${ref} && echo same`), 'same')
    })
  })

  it('umount waits for a running move to finish, saying so; --timeout refuses, changing nothing; --cancel stops it at its next block', {timeout: 180_000}, async () => {
    await withMount({...ONLINE, archiveBlockSizeBytes: MiB}, async (m) => {
      const ref = path.join(tempDir(), 'ref')
      await shOk(`head -c ${16 * MiB} /dev/urandom > ${ref} && cp ${ref} ${m.mnt}/f && cp ${ref} ${m.mnt}/g && sync ${m.mnt}/f ${m.mnt}/g`)
      const taskRunning = async (fsys: MountedFs): Promise<boolean> => {
        for (let i = 0; i < 100; i++) {
          const status = JSON.parse(await shOk(`node ${SHMR_BIN} status -c ${fsys.config.file} --json`)) as StatusReport
          if (status.mounted && status.tasks.length > 0) return true
          await new Promise((resolve) => setTimeout(resolve, 100))
        }
        return false
      }
      const where = async (name: string): Promise<string[]> => (JSON.parse(await shOk(`getfattr -n user.shmr.location --only-values ${m.mnt}/${name}`)) as {parts: Array<{pool: string}>}).parts.map((part) => part.pool)

      let shift = run([process.execPath, SHMR_BIN, 'shift', '-c', m.config.file, '/f', '--jobs', '1', '--rate', '4M'])
      assert.ok(await taskRunning(m), 'the server runs the shift')
      const early = await shmr(['umount', '-c', m.config.file, '--timeout', '1'])
      assert.equal(early.exitCode, 3, early.stderr)
      assert.match(early.stderr, /^shmr: the shift running in the server \(task 1\) has not finished after 1s; nothing was unmounted$/m)
      assert.equal(await shOk(`cmp ${m.mnt}/g ${ref} && echo same`), 'same', 'still mounted')
      const waited = await shmr(['umount', '-c', m.config.file])
      assert.equal(waited.exitCode, 0, waited.stderr)
      assert.match(waited.stdout, /^waiting for the shift running in the server \(task 1, .* of 16M done\) to finish; shmr umount --cancel stops it at its next block$/m)
      const finished = await shift.done
      assert.equal(finished.exitCode, 0, finished.stderr)
      await m.mount()
      assert.deepEqual(await where('f'), ['archive'], 'the move finished before the unmount')

      shift = run([process.execPath, SHMR_BIN, 'shift', '-c', m.config.file, '/g', '--jobs', '1', '--rate', '4M'])
      assert.ok(await taskRunning(m), 'the server runs the shift')
      const cancelled = await shmr(['umount', '-c', m.config.file, '--cancel', '--json'])
      assert.equal(cancelled.exitCode, 0, cancelled.stderr)
      assert.deepEqual((JSON.parse(cancelled.stdout) as {task: unknown}).task, {id: 1, purpose: 'shift', outcome: 'stopped'})
      const stopped = await shift.done
      assert.equal(stopped.exitCode, 3)
      assert.match(stopped.stderr, /shmr: shift stopped: cancelled by shmr cancel\nhint: nothing is lost/)
      await m.mount()
      assert.deepEqual(await where('g'), ['write'], 'stopped before its swap')
      const rerun = await shmr(['shift', '-c', m.config.file, '/g', '--json'])
      assert.equal(rerun.exitCode, 0, rerun.stderr)
      assert.equal(await shOk(`cmp ${m.mnt}/f ${ref} && cmp ${m.mnt}/g ${ref} && echo same`), 'same')
    })
  })

  it('mount.tierEvery: the server applies the tiers rules by itself, and status lists the run', {timeout: 120_000}, async () => {
    await withMount({...ONLINE, mount: {...ONLINE.mount, tierEveryMs: 1000}}, async (m) => {
      await m.unmount()
      fs.appendFileSync(m.config.file, 'tiers:\n  - name: settled\n    match: {olderThan: 1s}\n    action: {pool: archive}\n')
      await m.mount()
      await shOk(`head -c ${3 * MiB} /dev/urandom > ${m.mnt}/new && cp ${m.mnt}/new ${path.join(tempDir(), 'copy')}`)
      const pools = async (): Promise<string[]> => (JSON.parse(await shOk(`getfattr -n user.shmr.location --only-values ${m.mnt}/new`)) as {parts: Array<{pool: string}>}).parts.map((part) => part.pool)
      for (let i = 0; i < 200 && (await pools()).join() !== 'archive'; i++) await new Promise((resolve) => setTimeout(resolve, 100))
      assert.deepEqual(await pools(), ['archive'], 'moved without a command')
      const status = JSON.parse(await shOk(`node ${SHMR_BIN} status -c ${m.config.file} --json`)) as StatusReport
      assert.ok(status.mounted)
      const run = status.finished.find((task) => task.scheduled && task.purpose === 'tier' && (task.filesShifted ?? 0) > 0)
      assert.ok(run, JSON.stringify(status.finished))
      assert.equal(run.outcome, 'done')
      assert.match(fs.readFileSync(path.join(m.config.metadataDir, 'mount.log'), 'utf8'), /scheduled tier: moved 1 file\(s\)/)
    })
  })

  it('mount.tierAtFill: the server tiers by itself once the write pool is that full', {timeout: 120_000}, async (t) => {
    if (process.getuid?.() !== 0) return t.skip('needs root to give the write pool a tmpfs of a chosen size')
    const root = tempDir()
    const ssd = path.join(root, 'ssd-tmpfs')
    fs.mkdirSync(ssd)
    await shOk(`mount -t tmpfs -o size=64m shmr-test ${ssd}`)
    try {
      const config = fixtureConfig(root, {...ONLINE, writeDriveDir: ssd, mount: {...ONLINE.mount, tierAtFill: 0.5}})
      fs.appendFileSync(config.file, 'tiers:\n  - name: settled\n    match: {olderThan: 1s}\n    action: {pool: archive}\n')
      await initFilesystem(config)
      assert.equal((await shmr(['mount', '-c', config.file, '--background'])).exitCode, 0)
      try {
        const mnt = config.mountpoint
        await shOk(`head -c ${40 * MiB} /dev/urandom > ${mnt}/big && sync ${mnt}/big`)
        const pools = async (): Promise<string[]> => (JSON.parse(await shOk(`getfattr -n user.shmr.location --only-values ${mnt}/big`)) as {parts: Array<{pool: string}>}).parts.map((part) => part.pool)
        for (let i = 0; i < 300 && (await pools()).join() !== 'archive'; i++) await new Promise((resolve) => setTimeout(resolve, 100))
        assert.deepEqual(await pools(), ['archive'], 'moved without a command once the write pool passed 50%')
        const status = JSON.parse(await shOk(`node ${SHMR_BIN} status -c ${config.file} --json`)) as StatusReport
        assert.ok(status.mounted && status.finished.some((task) => task.scheduled && task.purpose === 'tier' && task.outcome === 'done'), JSON.stringify(status))
        assert.match(fs.readFileSync(path.join(config.metadataDir, 'mount.log'), 'utf8'), /scheduled tier \(the write pool is \d+% full\): moved 1 file\(s\)/)
      } finally {
        await shmr(['umount', '-c', config.file])
      }
    } finally {
      await sh(`umount ${ssd}`)
    }
  })
})
