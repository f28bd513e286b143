import assert from 'node:assert/strict'
import path from 'node:path'
import {describe, it} from 'node:test'
import {CHUNK_BYTES} from '../../src/lib/format/constants.js'
import type {ShiftReport} from '../../src/lib/shift/runShift.js'
import {REPO_ROOT, shmr} from '../helpers/cli.js'
import {sh, withMount, type MountedFs} from '../helpers/mounted.js'
import {tempDir} from '../helpers/tempDir.js'
import {verifyClean} from '../helpers/verifyClean.js'

const KiB = 1024
/** Small blocks, so that a file of a few hundred KiB crosses many block and archive block edges. */
const BLOCK = 64 * KiB
const ARCHIVE_BLOCK = 256 * KiB
const OPS_PER_PHASE = 600
/** Runs use seeds from this on; another base (SHMR_RANDOM_OPS_SEED) tries other sequences by hand. */
const SEED_BASE = Number(process.env.SHMR_RANDOM_OPS_SEED ?? 1)

async function ok(args: readonly string[]): Promise<string> {
  const result = await shmr(args)
  assert.equal(result.exitCode, 0, `shmr ${args.join(' ')}: ${result.stdout}${result.stderr}`)
  return result.stdout
}

/** Moves both files (a shift or rewrite by `args`), and fails unless blocks moved and no file was left busy. */
async function move(args: readonly string[]): Promise<void> {
  const report = JSON.parse(await ok([...args, '/ops/a', '/ops/b', '--json'])) as ShiftReport
  assert.equal(report.files.busy, 0, `shmr ${args.join(' ')} left files busy`)
  assert.ok(report.blocks.written > 0, `shmr ${args.join(' ')} moved nothing: ${JSON.stringify(report.files)}`)
}

/**
 * What happens to the files between two runs of operations: each leaves them as the last run's
 * final fsync did, and the next run checks that before it goes on.
 */
const BETWEEN: ReadonlyArray<readonly [string, (m: MountedFs) => Promise<void>]> = [
  ['remount', (m) => m.remount()],
  ['online shift', (m) => move(['shift', '-c', m.config.file])],
  ['kill -9 and mount', async (m) => {
    m.kill()
    await m.mountAfterKill()
  }],
  ['online rewrite to 128K blocks', (m) => move(['rewrite', '-c', m.config.file, '--block-size', '128K'])],
  ['flush', async (m) => { await ok(['flush', '-c', m.config.file]) }],
  ['offline shift', async (m) => {
    await m.unmount()
    await move(['shift', '-c', m.config.file])
    await m.mount()
  }],
]

describe('random operations against a reference file (fsx-like)', () => {
  it('writes, truncates, fallocate modes, copy_file_range and mmap writes read back as on ext4, across remounts, shifts, rewrites and kill -9; verify is clean after', {timeout: 600_000}, async () => {
    const reference = tempDir()
    await withMount({blockSizeBytes: BLOCK, archiveBlockSizeBytes: ARCHIVE_BLOCK}, async (m) => {
      await sh(`mkdir ${m.mnt}/ops`)
      const phases = [...BETWEEN, ...BETWEEN]
      for (let phase = 0; phase <= phases.length; phase++) {
        const run = await sh(`python3 ${path.join(REPO_ROOT, 'test/helpers/randomOps.py')} ${m.mnt}/ops ${reference} ${SEED_BASE + phase} ${OPS_PER_PHASE} ${CHUNK_BYTES} ${BLOCK} ${ARCHIVE_BLOCK}`)
        assert.equal(run.exitCode, 0, `run ${phase + 1} (seed ${SEED_BASE + phase})${phase > 0 ? `, after ${phases[phase - 1]![0]}` : ''}:\n${run.stderr}`)
        assert.ok(Number(run.stdout) >= OPS_PER_PHASE * 0.9, `run ${phase + 1} made ${run.stdout.trim()} operations`)
        if (phase < phases.length) await phases[phase]![1](m)
      }
      await m.unmount()
      await verifyClean(m)
      await m.mount()
    })
  })
})
