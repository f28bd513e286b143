import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {execa} from 'execa'
import {initFilesystem} from '../../src/lib/init/initFilesystem.js'
import {shmr} from '../helpers/cli.js'
import {erasure, fixtureConfig} from '../helpers/fixtureFs.js'
import {sh, shOk} from '../helpers/mounted.js'
import {tempDir} from '../helpers/tempDir.js'

const MiB = 1024 * 1024

/**
 * The formula of docs/LIMITATIONS.md ("Space"), written again here apart from shmr's code: per
 * pool, the largest T with Σ min(bytes_i, T) ≥ width × T, times the data shards; summed.
 */
const FORMULA = `
import json, os, sys
pools = json.loads(sys.argv[1])
def usable(width, data, sizes):
    lo, hi = 0, max(sizes + [0])
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if sum(min(s, mid) for s in sizes) >= width * mid: lo = mid
        else: hi = mid
    if sum(min(s, hi) for s in sizes) >= width * hi: lo = hi
    return lo * data
def stats(d):
    st = os.statvfs(d)
    return st.f_blocks * st.f_frsize, st.f_bavail * st.f_frsize
total = sum(usable(p['width'], p['data'], [stats(d)[0] for d in p['dirs']]) for p in pools)
free = sum(usable(p['width'], p['data'], [stats(d)[1] for d in p['dirs']]) for p in pools)
print(json.dumps({'total': total // ${MiB}, 'free': free // ${MiB}}))
`

describe('df on the mount', () => {
  it('shows the data the pools can hold under their schemes: the archive after parity, mixed drive sizes counted as they pair', async (t) => {
    if (process.getuid?.() !== 0) return t.skip('needs root to mount tmpfs drives of chosen sizes')
    const archive = [64, 64, 64, 64, 128, 256] // MiB; 4+2: the two big drives add only what the others pair with
    const config = fixtureConfig(tempDir(), {archiveDrives: archive.length, archiveTopology: erasure(4, 2)})
    const mounted: string[] = []
    try {
      for (const [dir, size] of [[config.pools[0]!.drives[0]!.dir!, 32], ...archive.map((size, i) => [config.pools[1]!.drives[i]!.dir!, size] as const)] as const) {
        await shOk(`mount -t tmpfs -o size=${size}m shmr-test ${dir}`)
        mounted.push(dir)
      }
      await initFilesystem(config)
      const started = await shmr(['mount', '-c', config.file, '--background'])
      assert.equal(started.exitCode, 0, started.stderr)
      try {
        const df = (await shOk(`df -B1M --output=size,avail ${config.mountpoint} | tail -1`)).trim().split(/\s+/).map(Number)
        // 32 MiB of the write pool, 4 × 64 MiB of the archive: 288 MiB, not the 672 the drives add up to.
        assert.equal(df[0], 32 + 4 * 64)
        const pools = config.pools.map((pool) => ({width: pool.topology.kind === 'erasure' ? pool.topology.data + pool.topology.parity : 1,
          data: pool.topology.kind === 'erasure' ? pool.topology.data : 1, dirs: pool.drives.map((drive) => drive.dir!)}))
        const expected = JSON.parse((await execa('python3', ['-c', FORMULA, JSON.stringify(pools)])).stdout) as {total: number; free: number}
        assert.equal(df[0], expected.total)
        assert.ok(Math.abs(df[1]! - expected.free) <= 1, `free ${df[1]} MiB, the formula says ${expected.free}`)
        const overview = JSON.parse((await shmr(['inspect', 'overview', '-c', config.file, '--json'])).stdout) as {pools: Array<{
          name: string; usableBytes: number; freeUsableBytes: number; beforeADriveFillsBytes: number; drives: Array<{name: string; fullAfterBytes?: number}>}>}
        assert.deepEqual(overview.pools.map((pool) => [pool.name, pool.usableBytes / MiB]), [['write', 32], ['archive', 256]])
        // Six drives for 4+2: every block takes one shard of each, so the four 64 MiB drives fill
        // together, when the free usable space is used; the 128 and 256 MiB ones never fill.
        const archivePool = overview.pools[1]!
        assert.ok(Math.abs(archivePool.beforeADriveFillsBytes - archivePool.freeUsableBytes) <= MiB, `${archivePool.beforeADriveFillsBytes} vs ${archivePool.freeUsableBytes}`)
        assert.deepEqual(archivePool.drives.filter((drive) => drive.fullAfterBytes !== undefined).map((drive) => drive.name), ['smr0', 'smr1', 'smr2', 'smr3'])
        const text = (await shmr(['inspect', 'overview', '-c', config.file])).stdout
        assert.match(text, /^pool archive .* more before a drive fills \(smr\d first\)$/m)
      } finally {
        await shmr(['umount', '-c', config.file])
      }
    } finally {
      for (const dir of mounted.reverse()) await sh(`umount ${dir}`)
    }
  })
})
