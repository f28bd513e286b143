import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import path from 'node:path'
import {describe, it} from 'node:test'
import type {ShiftReport} from '../../src/lib/shift/runShift.js'
import {REPO_ROOT, shmr} from '../helpers/cli.js'
import {sh, shOk, withMount, type MountedFs} from '../helpers/mounted.js'
import {tempDir} from '../helpers/tempDir.js'
import {verifyClean} from '../helpers/verifyClean.js'

const OPS_PER_PHASE = 1000
/** Runs use seeds from this on; another base (SHMR_RANDOM_TREE_SEED) tries other sequences by hand. */
const SEED_BASE = Number(process.env.SHMR_RANDOM_TREE_SEED ?? 1)

/**
 * What happens to the tree between two runs of operations: each leaves it as the last run's fsync
 * of every file and directory made it durable, and the next run compares the whole tree before it
 * goes on.
 */
const BETWEEN: ReadonlyArray<readonly [string, (m: MountedFs) => Promise<void>]> = [
  ['remount', (m) => m.remount()],
  ['kill -9 and mount', async (m) => {
    m.kill()
    await m.mountAfterKill()
  }],
  ['online shift of the tree', async (m) => {
    const shifted = await shmr(['shift', '-c', m.config.file, '-r', '/tree', '--json'])
    assert.equal(shifted.exitCode, 0, shifted.stderr)
    const report = JSON.parse(shifted.stdout) as ShiftReport
    assert.ok(report.files.shifted > 0 && report.files.busy === 0, JSON.stringify(report.files))
  }],
]

const SCRIPT = path.join(REPO_ROOT, 'test/helpers/randomTree.py')

describe('random namespace operations against a reference tree', () => {
  it('creates, mkdir, rmdir, unlink, renames (noreplace, exchange), links, symlinks, chmod, xattrs and times match ext4, errno included, across remounts, kill -9 and shifts; verify is clean after, and decode --tree rebuilds the same tree from the drives', {timeout: 600_000}, async () => {
    const reference = path.join(tempDir(), 'tree')
    await withMount({}, async (m) => {
      await shOk(`mkdir -m 755 ${reference} ${m.mnt}/tree`)
      const phases = [...BETWEEN, ...BETWEEN]
      for (let phase = 0; phase <= phases.length; phase++) {
        const run = await sh(`python3 ${SCRIPT} ${m.mnt}/tree ${reference} ${SEED_BASE + phase} ${OPS_PER_PHASE}`)
        assert.equal(run.exitCode, 0, `run ${phase + 1} (seed ${SEED_BASE + phase})${phase > 0 ? `, after ${phases[phase - 1]![0]}` : ''}:\n${run.stderr}`)
        assert.ok(Number(run.stdout) >= OPS_PER_PHASE, `run ${phase + 1} made ${run.stdout.trim()} operations`)
        if (phase < phases.length) await phases[phase]![1](m)
      }
      // Every file on the archive drives, then the tree rebuilt from the drives alone (no
      // metadata store): the same as the reference, names, links, modes, xattrs and times too.
      await BETWEEN.find(([name]) => name === 'online shift of the tree')![1](m)
      await m.unmount()
      await verifyClean(m)
      const rebuilt = path.join(tempDir(), 'rebuilt')
      const decoded = await shmr(['decode', ...m.config.pools[1]!.drives.map((drive) => drive.dir!), '--tree', rebuilt])
      assert.equal(decoded.exitCode, 0, decoded.stdout + decoded.stderr)
      const compared = await sh(`python3 ${SCRIPT} ${rebuilt}/tree ${reference} 0 0`)
      assert.equal(compared.exitCode, 0, `the tree rebuilt by decode --tree:\n${compared.stderr}`)
      await m.mount()
    })
  })

  it('kill -9 in the middle of random namespace operations: after remount every link count agrees with the names, and verify is clean', {timeout: 300_000}, async () => {
    await withMount({}, async (m) => {
      for (let round = 1; round <= 3; round++) {
        const reference = path.join(tempDir(), 'tree')
        await shOk(`mkdir -m 755 ${reference} ${m.mnt}/t${round}`)
        const running = spawn('python3', [SCRIPT, `${m.mnt}/t${round}`, reference, String(100 + round), '1000000'], {stdio: 'ignore'})
        const ended = new Promise((resolve) => running.once('close', resolve))
        await new Promise((resolve) => setTimeout(resolve, 3000))
        m.kill()
        await ended
        await m.mountAfterKill()
        const counts = await sh(`python3 ${path.join(REPO_ROOT, 'test/helpers/linkCounts.py')} ${m.mnt}/t${round}`)
        assert.equal(counts.exitCode, 0, `round ${round}: ${counts.stdout}${counts.stderr}`)
        assert.ok(Number(counts.stdout.split(' ')[0]) >= 5, `round ${round}: only ${counts.stdout.trim()} at the kill: the test proved nothing`)
      }
      await m.unmount()
      await verifyClean(m)
      await m.mount()
    })
  })
})
