import assert from 'node:assert/strict'
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import {describe, it} from 'node:test'
import type {VerifyReport} from '../../src/lib/verify/runVerify.js'
import {MetaStore} from '../../src/lib/meta/metaStore.js'
import {hasStackTrace, SHMR_BIN, shmr} from '../helpers/cli.js'
import {sh, shOk, withMount, type MountedFs} from '../helpers/mounted.js'
import {tempDir} from '../helpers/tempDir.js'

const OPTIONS = {blockSizeBytes: 64 * 1024, archiveBlockSizeBytes: 256 * 1024}

/** Writes two files through the mount and shifts them to the archive (4+2); the mount is left unmounted. */
async function archived(m: MountedFs): Promise<string> {
  const source = tempDir()
  await shOk(`head -c 1000000 /dev/urandom > ${source}/a && head -c 300000 /dev/urandom > ${source}/b && cp ${source}/a ${source}/b ${m.mnt}/`)
  await m.unmount()
  const shifted = await shmr(['shift', '-c', m.config.file, '/a', '/b'])
  assert.equal(shifted.exitCode, 0, shifted.stderr)
  return source
}

async function verify(m: MountedFs, ...args: string[]) {
  const result = await shmr(['verify', '-c', m.config.file, '--json', ...args])
  return {exitCode: result.exitCode, report: JSON.parse(result.stdout || '{}'), stderr: result.stderr}
}

function shardsOf(m: MountedFs, pattern: RegExp): string[] {
  return m.config.pools[1]!.drives.flatMap((drive) => (fs.readdirSync(drive.dir!, {recursive: true}) as string[])
    .filter((file) => pattern.test(path.basename(file))).map((file) => path.join(drive.dir!, file)))
}

describe('shmr verify', () => {
  it('reports missing and corrupt shards per file, repairs them, and a second run is clean', async () => {
    await withMount(OPTIONS, async (m) => {
      const source = await archived(m)
      assert.equal((await verify(m)).exitCode, 0)
      fs.rmSync(shardsOf(m, /^i2\.b1\..*\.d0\./)[0]!)
      const corrupt = shardsOf(m, /^i2\.b2\..*\.p1\./)[0]!
      fs.writeFileSync(corrupt, Buffer.from(fs.readFileSync(corrupt).map((byte, i) => (i === 9 ? byte ^ 4 : byte))))
      const found = await verify(m)
      assert.equal(found.exitCode, 8, found.stderr)
      const a = found.report.files.find((file: {path: string}) => file.path === '/a')
      assert.equal(a.status, 'degraded')
      assert.deepEqual(a.badShards.map((bad: {block: number; shard: number; fault: string}) => [bad.block, bad.shard, bad.fault]), [[1, 0, 'missing'], [2, 5, 'checksum mismatch']])
      assert.equal(found.report.files.find((file: {path: string}) => file.path === '/b').status, 'ok')

      const repaired = await verify(m, '--repair')
      assert.equal(repaired.exitCode, 0, repaired.stderr)
      assert.equal(repaired.report.summary.shardsRepaired, 2)
      const clean = await verify(m)
      assert.equal(clean.exitCode, 0)
      assert.equal(clean.report.summary.ok, 2)
      await m.mount()
      assert.equal(await shOk(`cmp ${source}/a ${m.mnt}/a && cmp ${source}/b ${m.mnt}/b && echo same`), 'same')
    })
  })

  it('restores full redundancy onto an empty drive mounted where a dead one was', async () => {
    await withMount(OPTIONS, async (m) => {
      const source = await archived(m)
      const dead = m.config.pools[1]!.drives[3]!.dir!
      const lostShards = (fs.readdirSync(dead, {recursive: true}) as string[]).filter((file) => file.endsWith('.shard')).length
      assert.ok(lostShards > 0)
      fs.rmSync(dead, {recursive: true})
      fs.mkdirSync(dead) // the new, empty drive
      const degraded = await verify(m)
      assert.equal(degraded.exitCode, 8)
      assert.ok(degraded.report.files.every((file: {status: string}) => file.status === 'degraded'))
      const repaired = await verify(m, '--repair')
      assert.equal(repaired.exitCode, 0, repaired.stderr)
      assert.deepEqual(repaired.report.drivesAdopted, ['smr3'])
      assert.equal(repaired.report.summary.shardsRepaired, lostShards)
      assert.equal((fs.readdirSync(dead, {recursive: true}) as string[]).filter((file) => file.endsWith('.shard')).length, lostShards)
      assert.equal((await verify(m)).exitCode, 0)
      await m.mount()
      assert.equal(await shOk(`cmp ${source}/a ${m.mnt}/a && echo same`), 'same')
    })
  })

  it('finds chunk checksums that disagree with a right shard, and --repair records them afresh', async () => {
    await withMount(OPTIONS, async (m) => {
      const source = await archived(m)
      const store = await MetaStore.open(m.config.metadataDir)
      await store.transaction(() => {
        const record = store.blockMaps.findBlock(2, 0)!
        const chunkCrcs = Buffer.from(record.shards[1]!.chunkCrcs!)
        chunkCrcs[5] = chunkCrcs[5]! ^ 1
        store.blockMaps.putBlock(2, 0, {...record, shards: record.shards.map((shard, i) => (i === 1 ? {...shard, chunkCrcs} : shard))})
      })
      await store.close()
      const found = await verify(m)
      assert.equal(found.exitCode, 8, found.stderr)
      const a = found.report.files.find((file: {path: string}) => file.path === '/a')
      assert.deepEqual(a.badShards.map((bad: {block: number; shard: number; fault: string}) => [bad.block, bad.shard, bad.fault]), [[0, 1, 'chunk checksums wrong']])
      assert.equal((await verify(m, '--repair')).exitCode, 0)
      assert.equal((await verify(m)).exitCode, 0, 'recorded afresh')
      await m.mount()
      assert.equal(await shOk(`cmp ${source}/a ${m.mnt}/a && echo same`), 'same')
    })
  })

  it('calls a block damaged past parity, and finds metadata problems and unreferenced files', async () => {
    await withMount(OPTIONS, async (m) => {
      await archived(m)
      for (const role of ['d0', 'd1', 'p0']) fs.rmSync(shardsOf(m, new RegExp(`^i3\\.b0\\..*\\.${role}\\.`))[0]!)
      const stray = path.join(m.config.pools[1]!.drives[0]!.dir!, 'shmr', 'i99.b0.z262144.g1.e4p2.d0.l4.c00000000.shard')
      fs.writeFileSync(stray, 'junk')
      const store = await MetaStore.open(m.config.metadataDir)
      await store.transaction(() => {
        store.dirents.link(1, 'ghost', {ino: 4242, kind: 'file'})
        const a = store.inodes.getInode(2)
        store.inodes.putInode({...a, nlink: 3})
      })
      await store.close()
      const result = await verify(m, '--repair')
      assert.equal(result.exitCode, 5)
      assert.equal(result.report.files.find((file: {path: string}) => file.path === '/b').status, 'damaged')
      assert.deepEqual(result.report.metadata.danglingEntries, [{path: '/ghost', ino: 4242}])
      assert.deepEqual(result.report.metadata.wrongLinkCounts, [{ino: 2, stored: 3, counted: 1}])
      assert.equal(result.report.metadata.unreferencedFiles.count, 1)
      assert.match(result.report.metadata.unreferencedFiles.examples[0], /i99\.b0\./)
      assert.ok(fs.existsSync(stray), 'left for gc')
    })
  })

  it('refuses a damaged metadata store with one line, never a crash, and finds a file a damaged entry hides', async () => {
    await withMount(OPTIONS, async (m) => {
      await shOk(`cd ${m.mnt} && mkdir d && for i in $(seq 300); do echo $i > d/f$i; done`)
      await m.unmount()
      const file = path.join(m.config.metadataDir, 'shmr.mdb')
      const intact = fs.readFileSync(file)
      const pageBytes = 4096
      const damages: Array<[string, (bytes: Buffer) => Buffer, RegExp]> = [
        ['a zeroed first meta page', (bytes) => Buffer.concat([Buffer.alloc(pageBytes), bytes.subarray(pageBytes)]), /does not start with an LMDB meta page/],
        ['a zeroed second meta page', (bytes) => Buffer.concat([bytes.subarray(0, pageBytes), Buffer.alloc(pageBytes), bytes.subarray(2 * pageBytes)]), /second meta page/],
        ['a file cut to one page', (bytes) => bytes.subarray(0, pageBytes), /shorter than its two meta pages/],
        ['a file cut in half', (bytes) => bytes.subarray(0, Math.floor(bytes.length / 2 / pageBytes) * pageBytes), /cut short|damaged/],
        ['random bytes in every tree page', (bytes) => Buffer.concat([bytes.subarray(0, 2 * pageBytes), crypto.randomBytes(bytes.length - 2 * pageBytes)]), /damaged|could not be read/],
      ]
      for (const [what, damage, expected] of damages) {
        fs.writeFileSync(file, damage(intact))
        for (const command of ['verify', 'mount']) {
          const result = await sh(`node ${SHMR_BIN} ${command} -c ${m.config.file}`)
          assert.equal(result.exitCode, 5, `${command} with ${what}: ${result.stderr}`)
          assert.match(result.stderr, new RegExp(`^shmr: the metadata store in ${m.config.metadataDir} (is damaged|could not be read)`), `${command} with ${what}`)
          assert.match(result.stderr, expected, `${command} with ${what}`)
          assert.ok(!hasStackTrace(result.stderr), `${command} with ${what}: no stack`)
        }
      }
      fs.writeFileSync(file, intact)

      // A flipped bit in an entry's key moves it under a directory that does not exist: its file
      // was skipped, and verify said everything was fine.
      const store = await MetaStore.open(m.config.metadataDir)
      const dir = store.dirents.lookup(1, 'd')!.ino
      const hidden = store.dirents.lookup(dir, 'f7')!
      await store.transaction(() => {
        store.dirents.unlink(dir, 'f7')
        store.dirents.link(dir ^ 0x40, 'f7', hidden)
      })
      await store.close()
      const result = await verify(m)
      assert.equal(result.exitCode, 8)
      assert.deepEqual(result.report.metadata.unreachableInodes, [hidden.ino])
    })
  })

  it('runs read-only beside a mount; --repair there runs inside the server', async () => {
    await withMount(OPTIONS, async (m) => {
      await shOk(`head -c 500000 /dev/urandom > ${m.mnt}/f && sync ${m.mnt}/f`)
      const beside = await verify(m)
      assert.equal(beside.exitCode, 0, beside.stderr)
      assert.equal(beside.report.mode, 'read-only')
      const repaired = await shmr(['verify', '-c', m.config.file, '--repair', '--json'])
      assert.equal(repaired.exitCode, 0, repaired.stdout + repaired.stderr)
      assert.equal((JSON.parse(repaired.stdout) as VerifyReport).mode, 'online')
    })
  })
})
