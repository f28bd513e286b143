import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import {describe, it} from 'node:test'
import type {TombstoneList} from '../../src/lib/inspect/tombstones.js'
import {MetaStore} from '../../src/lib/meta/metaStore.js'
import {SHMR_BIN, shmr} from '../helpers/cli.js'
import {sh, shOk, withMount, type MountedFs} from '../helpers/mounted.js'
import {parsePrometheus} from '../helpers/prometheus.js'

const KiB = 1024
const OPTIONS = {blockSizeBytes: 64 * KiB, archiveBlockSizeBytes: 256 * KiB}

async function inspect(m: MountedFs, ...args: string[]) {
  const result = await shmr(['inspect', ...args, '-c', m.config.file, '--json'])
  assert.equal(result.exitCode, 0, result.stderr)
  return JSON.parse(result.stdout)
}

/** Shard files and their bytes on each drive, counted on disk. */
function onDisk(m: MountedFs): Record<string, {files: number; bytes: number}> {
  const counts: Record<string, {files: number; bytes: number}> = {}
  for (const drive of m.config.pools.flatMap((pool) => pool.drives)) {
    const files = (fs.readdirSync(drive.dir!, {recursive: true}) as string[]).filter((file) => file.endsWith('.shard'))
    counts[drive.name] = {files: files.length, bytes: files.reduce((sum, file) => sum + fs.statSync(path.join(drive.dir!, file)).size, 0)}
  }
  return counts
}

describe('shmr inspect and metrics', () => {
  it('shows topology of a write-pool file, a shifted file, a sparse file and a file with a missing shard', async () => {
    await withMount(OPTIONS, async (m) => {
      await shOk(`head -c ${3 * 64 * KiB + 10} /dev/urandom > ${m.mnt}/plain && head -c ${600 * KiB} /dev/urandom > ${m.mnt}/film`)
      await shOk(`truncate -s 1M ${m.mnt}/sparse && printf x | dd of=${m.mnt}/sparse bs=1 seek=$((700*1024)) conv=notrunc status=none`)
      await m.unmount()
      assert.equal((await shmr(['shift', '-c', m.config.file, '/film'])).exitCode, 0)

      const plain = await inspect(m, 'topology', '/plain')
      assert.deepEqual([plain.sizeBytes, plain.blockSizeBytes, plain.blocks.length], [3 * 64 * KiB + 10, 64 * KiB, 4])
      assert.deepEqual(plain.blocks[3].shards.map((shard: {role: string; drive: string; present: boolean}) => [shard.role, shard.drive, shard.present]), [['s0', 'ssd0', true]])
      const sparse = await inspect(m, 'topology', '/sparse')
      assert.equal(sparse.blocks.length, 1)
      assert.deepEqual(sparse.holes, [{fromIndex: 0, toIndex: 10}, {fromIndex: 11, toIndex: 16}])

      const film = await inspect(m, 'topology', '/film')
      assert.deepEqual([film.blockSizeBytes, film.blocks.length, film.blocks[0].topology], [256 * KiB, 3, '4+2'])
      const victim = film.blocks[1].shards[2]
      fs.rmSync(path.join(m.config.pools[1]!.drives.find((drive) => drive.name === victim.drive)!.dir!, victim.file))
      const damaged = await inspect(m, 'topology', String(film.ino))
      assert.deepEqual(damaged.blocks[1].shards.map((shard: {present: boolean}) => shard.present), [true, true, false, true, true, true])
      const text = await shmr(['inspect', 'topology', '-c', m.config.file, '/film'])
      assert.match(text.stdout, /^ {2}1 +256K +4\+2 +d0:smr\d .* MISSING d2$/m)
      assert.match(text.stdout, /^ {2}0 +256K +4\+2 .* all present$/m)
      const holes = await shmr(['inspect', 'topology', '-c', m.config.file, '/sparse'])
      assert.match(holes.stdout, /^ {2}0-9 \(10\) +- +hole$/m)
    })
  })

  it('takes a path through the mount point as the file inside: shift and inspect topology', async () => {
    await withMount(OPTIONS, async (m) => {
      await shOk(`mkdir ${m.mnt}/movies && head -c ${300 * KiB} /dev/urandom > ${m.mnt}/movies/a.mkv`)
      const inside = await inspect(m, 'topology', '/movies/a.mkv')
      const through = await inspect(m, 'topology', `${m.mnt}/movies/a.mkv`)
      assert.equal(through.ino, inside.ino)
      await m.unmount()
      const shifted = await shmr(['shift', '-c', m.config.file, `${m.mnt}/movies/a.mkv`, '--json'])
      assert.equal(shifted.exitCode, 0, shifted.stderr)
      assert.equal(JSON.parse(shifted.stdout).dryRun, false, '--json says it was no dry run')
      const after = await inspect(m, 'topology', `${m.mnt}/movies/a.mkv`)
      assert.equal(after.blocks[0].topology, '4+2')
      const missing = await shmr(['inspect', 'topology', '-c', m.config.file, `${m.mnt}/movies/none.mkv`])
      assert.equal(missing.exitCode, 2)
      assert.match(missing.stderr, /no entry named none\.mkv/)
    })
  })

  it('overview counts what is on the drives, and shows the live metrics of a mount', async () => {
    await withMount(OPTIONS, async (m) => {
      await shOk(`mkdir ${m.mnt}/d && head -c ${300 * KiB} /dev/urandom > ${m.mnt}/d/a && head -c ${100 * KiB} /dev/urandom > ${m.mnt}/b`)
      await m.unmount()
      assert.equal((await shmr(['shift', '-c', m.config.file, '/d/a'])).exitCode, 0)
      const overview = await inspect(m, 'overview')
      assert.equal(overview.mounted, undefined)
      const disk = onDisk(m)
      for (const pool of overview.pools) {
        for (const drive of pool.drives) {
          assert.deepEqual({files: drive.files, bytes: drive.storedBytes}, disk[drive.name], `drive ${drive.name}`)
          assert.equal(drive.present, true)
        }
      }
      assert.deepEqual([overview.files, overview.directories], [2, 2])
      assert.deepEqual(overview.byTopology, {'4+2': {files: 1, bytes: 300 * KiB}, single: {files: 1, bytes: 100 * KiB}})
      assert.deepEqual(overview.tombstones, {files: 0, bytes: 0})

      // Mounted: who holds it, and the metrics file the mount keeps.
      await m.mount()
      const data = 5 * 64 * KiB + 123
      await shOk(`head -c ${data} /dev/urandom > ${m.mnt}/new && cat ${m.mnt}/new ${m.mnt}/b > /dev/null && ls -lR ${m.mnt} > /dev/null`)
      const metricsFile = path.join(m.config.metadataDir, 'metrics.prom')
      let samples = new Map<string, number>()
      for (let i = 0; i < 100; i++) {
        if (fs.existsSync(metricsFile)) samples = parsePrometheus(fs.readFileSync(metricsFile, 'utf8'))
        // The last block, partial, is written out once idle (mount.flushAfter): close waits for nothing.
        if (samples.get('shmr_fuse_bytes_total{direction="write"}') === data && samples.get('shmr_drive_written_bytes_total{pool="write",drive="ssd0"}') === data) break
        await new Promise((resolve) => setTimeout(resolve, 200))
      }
      assert.equal(samples.get('shmr_fuse_bytes_total{direction="write"}'), data, 'bytes written through the mount')
      assert.equal(samples.get('shmr_drive_written_bytes_total{pool="write",drive="ssd0"}'), data, 'each block written once to the write pool')
      assert.ok((samples.get('shmr_operations_total{op="write"}') ?? 0) >= 3)
      assert.ok((samples.get('shmr_operation_duration_seconds_count{op="write"}') ?? 0) >= 3)
      // No file carries security.capability or a POSIX ACL, so the binding answered the kernel's
      // lookups of them (before each write, for each entry of ls -l) itself (AbsentXattrs): no
      // getxattr reached shmr.
      assert.equal(samples.get('shmr_operations_total{op="getxattr"}'), undefined, 'no getxattr round trip per write or per listed file')
      const live = await inspect(m, 'overview')
      assert.equal(live.mounted.pid, m.pid())
      // Samples, not Prometheus text: a script reads numbers.
      const written = live.metrics.find((sample: {name: string; labels: Record<string, string>}) => sample.name === 'shmr_fuse_bytes_total' && sample.labels.direction === 'write')
      assert.ok(written && typeof written.value === 'number' && written.value >= data, JSON.stringify(written))
      const text = await shmr(['inspect', 'overview', '-c', m.config.file])
      assert.match(text.stdout, /^ {2}shmr_fuse_bytes_total\{direction="write"\} \d+$/m)
    })
  })
})

describe('where each file is: inspect files and user.shmr.location', () => {
  it('tells files only on the write pool from erasure-coded ones, by tree and through the mount', async () => {
    await withMount({blockSizeBytes: 64 * 1024, archiveBlockSizeBytes: 256 * 1024}, async (m) => {
      await shOk(`mkdir ${m.mnt}/photos && head -c 100K /dev/urandom > ${m.mnt}/photos/a && head -c 700K /dev/urandom > ${m.mnt}/photos/b && echo x > ${m.mnt}/top`)
      await m.unmount()
      assert.equal((await shmr(['shift', '-c', m.config.file, '/photos/b'])).exitCode, 0)
      await m.mount()
      const location = async (file: string) => JSON.parse(await shOk(`getfattr -n user.shmr.location --only-values ${m.mnt}/${file}`))
      assert.deepEqual(await location('photos/b'), {parts: [{pool: 'archive', scheme: '4+2', blocks: 3, bytes: 700 * 1024}], pendingBlocks: 0, protected: true})
      assert.deepEqual(await location('photos/a'), {parts: [{pool: 'write', scheme: 'single', blocks: 2, bytes: 100 * 1024}], pendingBlocks: 0, protected: false})
      // Written and still in the mount's memory: not stored anywhere yet.
      const fresh = await shOk(`exec 3>${m.mnt}/photos/c && head -c 200K /dev/urandom >&3 && getfattr -n user.shmr.location --only-values ${m.mnt}/photos/c; exec 3>&-`)
      assert.equal(JSON.parse(fresh).protected, false)
      assert.ok(JSON.parse(fresh).pendingBlocks + JSON.parse(fresh).parts.length > 0)
      await shOk(`sync ${m.mnt}/photos/c`)
      assert.deepEqual((await location('photos/c')).pendingBlocks, 0)
      // Computed, so neither set, removed nor listed (cp -a and rsync -X must not carry it over).
      const set = await sh(`setfattr -n user.shmr.location -v x ${m.mnt}/photos/a`)
      assert.notEqual(set.exitCode, 0)
      assert.match(set.stderr, /Operation not permitted/)
      assert.doesNotMatch(await shOk(`getfattr -d ${m.mnt}/photos/a`), /location/)

      const listed = await shmr(['inspect', 'files', '-c', m.config.file, '--json'])
      assert.equal(listed.exitCode, 0, listed.stderr)
      const report = JSON.parse(listed.stdout)
      assert.deepEqual(report.files.map((file: {path: string; protected: boolean}) => [file.path, file.protected]).sort(),
        [['/photos/a', false], ['/photos/b', true], ['/photos/c', false], ['/top', false]])
      assert.deepEqual(report.summary.protected, {files: 1, bytes: 700 * 1024})
      const unprotected = await shmr(['inspect', 'files', '-c', m.config.file, `${m.mnt}/photos`, '--unprotected'])
      assert.equal(unprotected.exitCode, 0, unprotected.stderr)
      assert.match(unprotected.stdout, /^\/photos\/a +100K +NO +write single 100K +-$/m)
      assert.doesNotMatch(unprotected.stdout, /photos\/b/)
      assert.match(unprotected.stdout, /3 file\(s\), 1000K: 1 \(700K\) survive a drive's loss, 2 \(300K\) do not/)
    })
  })

  it('tombstones lists the superseded files waiting for gc, mounted or not; gc empties it', async () => {
    await withMount(OPTIONS, async (m) => {
      await shOk(`head -c 100000 /dev/urandom > ${m.mnt}/f && sync ${m.mnt}/f`)
      await m.unmount()
      // Two tombstones as a rewrite leaves them: one for a file still there, one already gone.
      const ssd0 = m.config.pools[0]!.drives[0]!.dir!
      fs.mkdirSync(path.join(ssd0, 'shmr', 'old'), {recursive: true})
      fs.writeFileSync(path.join(ssd0, 'shmr', 'old', 'superseded.shard'), Buffer.alloc(5000))
      const store = await MetaStore.open(m.config.metadataDir)
      try {
        const id = store.superblock.drives.find((drive) => drive.name === 'ssd0')!.id
        await store.transaction(() => {
          store.tombstones.bury({drive: id, path: 'shmr/old/superseded.shard', sinceMs: Date.parse('2026-01-02T03:04:05Z')})
          store.tombstones.bury({drive: id, path: 'shmr/old/gone.shard', sinceMs: Date.parse('2026-01-01T00:00:00Z')})
        })
      } finally {
        await store.close()
      }
      // Unmounted: the mount would collect these old ones at its first tick.
      const listed = await inspect(m, 'tombstones') as TombstoneList
      assert.deepEqual(listed, {
        tombstones: [
          {drive: 'ssd0', path: 'shmr/old/gone.shard', since: '2026-01-01T00:00:00.000Z'},
          {drive: 'ssd0', path: 'shmr/old/superseded.shard', since: '2026-01-02T03:04:05.000Z', sizeBytes: 5000},
        ],
        files: 2, bytes: 5000,
      })
      const text = await shOk(`node ${SHMR_BIN} inspect tombstones -c ${m.config.file}`)
      assert.match(text, /^ssd0 +4\.9K +2026-01-02T03:04:05\.000Z +shmr\/old\/superseded\.shard$/m)
      assert.match(text, /^2 tombstone\(s\), 4\.9K: shmr gc deletes them$/m)
      // Mounted: asked of the server, with one buried for later (no tick collects it before then).
      const later = await MetaStore.open(m.config.metadataDir)
      try {
        const id = later.superblock.drives.find((drive) => drive.name === 'ssd0')!.id
        await later.transaction(() => later.tombstones.bury({drive: id, path: 'shmr/old/later.shard', sinceMs: Date.parse('2099-01-01T00:00:00Z')}))
      } finally {
        await later.close()
      }
      await m.mount()
      const mounted = await inspect(m, 'tombstones') as TombstoneList
      assert.ok(mounted.tombstones.some((tombstone) => tombstone.path === 'shmr/old/later.shard' && tombstone.since === '2099-01-01T00:00:00.000Z'), JSON.stringify(mounted))
      await m.unmount()
      assert.equal((await shmr(['gc', '-c', m.config.file, '--grace', '0s'])).exitCode, 0)
      assert.deepEqual((await inspect(m, 'tombstones') as TombstoneList).tombstones.map((tombstone) => tombstone.path), ['shmr/old/later.shard'])
      assert.equal(fs.existsSync(path.join(ssd0, 'shmr', 'old', 'superseded.shard')), false)
      await m.mount()
    })
  })
})
