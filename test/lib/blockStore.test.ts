import assert from 'node:assert/strict'
import {execFileSync} from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import {after, before, describe, it} from 'node:test'
import type {BlockAddress} from '../../src/lib/blocks/blockStore.js'
import {shardSizeBytes, type Topology} from '../../src/lib/blocks/topology.js'
import {isShmrError} from '../../src/lib/errors.js'
import {FANOUT_GROUP_BLOCKS, FANOUT_GROUP_FILES} from '../../src/lib/format/constants.js'
import {fanoutDir} from '../../src/lib/format/fanout.js'
import {blocksAddon} from '../../src/lib/native/blocksAddon.js'
import type {BlockRecord} from '../../src/lib/meta/records.js'
import type {Pool} from '../../src/lib/pools/poolSet.js'
import {erasure, mirror} from '../helpers/fixtureFs.js'
import {openFixture, type OpenFixture} from '../helpers/openFixture.js'
import {patternBytes, subsetsUpTo} from '../helpers/tempDir.js'
import {filePath} from '../helpers/drivePaths.js'

let fx: OpenFixture
let generation = 1
before(async () => { fx = await openFixture({writeDrives: 2, archiveDrives: 6}) })
after(async () => { await fx.store.close() })

const address = (blockIndex: number, fileId = 10): BlockAddress => ({fileId, blockIndex})

async function write(pool: Pool, data: Buffer, topology: Topology = pool.topology, at = address(0)): Promise<BlockRecord> {
  const record = await fx.blocks.writeBlock(pool, at, 262144, generation++, data, topology)
  assert.ok(record, 'a non-zero block is stored')
  return record
}

function shardPaths(at: BlockAddress, record: BlockRecord): string[] {
  return fx.blocks.filesOf(at, record).map((file) => filePath(fx.pools, file))
}

async function readBack(at: BlockAddress, record: BlockRecord): Promise<{bytes: Buffer; report: Awaited<ReturnType<OpenFixture['blocks']['readBlock']>>}> {
  const out = Buffer.alloc(record.blockSizeBytes, 0xaa)
  const report = await fx.blocks.readBlock(at, record, out)
  return {bytes: out.subarray(0, record.lengthBytes), report}
}

describe('block store', () => {
  const lengths = [1, 3, 4, 5, 4095, 65536, 100_001, 262144]

  for (const length of lengths) {
    it(`stores a ${length}-byte single block as exactly its bytes`, async () => {
      const data = patternBytes(length, length)
      const record = await write(fx.pools.writePool, data, {kind: 'single'}, address(length))
      const [file] = shardPaths(address(length), record)
      assert.ok(fs.readFileSync(file!).equals(data), 'a single block file is the block')
      assert.ok((await readBack(address(length), record)).bytes.equals(data))
    })

    it(`stores a ${length}-byte 4+2 block whose data shards cat to the block plus zero padding`, async () => {
      const data = patternBytes(length, length + 1)
      const at = address(length, 11)
      const record = await write(fx.pools.pool('archive'), data, erasure(4, 2), at)
      const files = shardPaths(at, record)
      assert.equal(new Set(record.shards.map((shard) => shard.drive)).size, 6, 'six distinct drives')
      const shardBytes = shardSizeBytes(record.topology, length)
      const catted = Buffer.concat(files.slice(0, 4).map((file) => fs.readFileSync(file)))
      assert.equal(catted.length, shardBytes * 4)
      assert.ok(catted.subarray(0, length).equals(data), 'data shards cat to the block')
      assert.ok(catted.subarray(length).equals(Buffer.alloc(catted.length - length)), 'padding is zeros')
      assert.ok((await readBack(at, record)).bytes.equals(data))
    })
  }

  it('stores a mirror block as identical copies on distinct drives, and reads a surviving copy', async () => {
    const data = patternBytes(70_000, 3)
    const at = address(0, 12)
    const record = await write(fx.pools.writePool, data, mirror(2), at)
    const files = shardPaths(at, record)
    assert.notEqual(record.shards[0]!.drive, record.shards[1]!.drive)
    for (const file of files) assert.ok(fs.readFileSync(file).equals(data))
    fs.rmSync(files[0]!)
    const {bytes, report} = await readBack(at, record)
    assert.ok(bytes.equals(data))
    assert.deepEqual(report.badShards.map((bad) => [bad.shardIndex, bad.fault]), [[0, 'missing']])
    fs.rmSync(files[1]!)
    await assert.rejects(readBack(at, record), (error) => isShmrError(error, 'CORRUPT'))
  })

  it('does not store an all-zero block (a hole)', async () => {
    const before = fs.readdirSync(fx.pools.writePool.drives[0]!.dir!, {recursive: true}).length
    assert.equal(await fx.blocks.writeBlock(fx.pools.writePool, address(0, 13), 262144, generation++, Buffer.alloc(262144)), undefined)
    assert.equal(await fx.blocks.writeBlock(fx.pools.writePool, address(1, 13), 262144, generation++, Buffer.alloc(0)), undefined)
    assert.equal(fs.readdirSync(fx.pools.writePool.drives[0]!.dir!, {recursive: true}).length, before)
  })

  it('detects a flipped byte in a single block', async () => {
    const at = address(0, 14)
    const record = await write(fx.pools.writePool, patternBytes(5000, 9), {kind: 'single'}, at)
    const [file] = shardPaths(at, record)
    const bytes = fs.readFileSync(file!)
    bytes[4000]! ^= 1
    fs.writeFileSync(file!, bytes)
    await assert.rejects(readBack(at, record), (error) => isShmrError(error, 'CORRUPT') && /checksum mismatch/.test(error.message))
  })

  it('reads only data shards while they are intact (parity drives stay idle)', async () => {
    const data = patternBytes(200_000, 21)
    const at = address(0, 15)
    const record = await write(fx.pools.pool('archive'), data, erasure(4, 2), at)
    const files = shardPaths(at, record)
    fs.rmSync(files[4]!)
    fs.rmSync(files[5]!)
    const {bytes, report} = await readBack(at, record)
    assert.ok(bytes.equals(data))
    assert.equal(report.reconstructed, false)
    assert.deepEqual(report.badShards, [])
  })

  for (const [data, parity] of [[4, 2], [3, 2]] as const) {
    for (const lost of subsetsUpTo(data + parity, parity).slice(1)) {
      it(`${data}+${parity}: reads through lost shards [${lost.join(',')}]`, async () => {
        const block = patternBytes(150_001, lost.length * 31 + lost[0]! + 1)
        const at = address(lost.join('').length * 100 + Number(lost.join('')), 16 + data)
        const record = await write(fx.pools.pool('archive'), block, erasure(data, parity), at)
        const files = shardPaths(at, record)
        for (const index of lost) {
          // Alternate between a deleted shard and one with a flipped byte.
          if (index % 2 === 0) fs.rmSync(files[index]!)
          else fs.writeFileSync(files[index]!, Buffer.from(fs.readFileSync(files[index]!).map((b, i) => (i === 7 ? b ^ 0xff : b))))
        }
        const {bytes, report} = await readBack(at, record)
        assert.ok(bytes.equals(block), 'block reads back identically')
        const dataLost = lost.some((index) => index < data)
        assert.equal(report.reconstructed, dataLost)
        if (dataLost) assert.deepEqual(report.badShards.map((bad) => bad.shardIndex).sort(), [...lost].sort())
      })
    }

    it(`${data}+${parity}: fails with CORRUPT naming the shards when ${parity + 1} are lost`, async () => {
      const at = address(999, 16 + data)
      const record = await write(fx.pools.pool('archive'), patternBytes(90_000, 5), erasure(data, parity), at)
      const files = shardPaths(at, record)
      for (let index = 0; index <= parity; index++) fs.rmSync(files[index]!)
      await assert.rejects(readBack(at, record), (error) => isShmrError(error, 'CORRUPT') &&
        error.message.includes(`file ${16 + data} block 999`) && /shard 0 on smr\d: missing/.test(error.message))
    })
  }

  it('checkBlock reports every bad shard, parity included', async () => {
    const at = address(0, 30)
    const record = await write(fx.pools.pool('archive'), patternBytes(80_000, 8), erasure(4, 2), at)
    const files = shardPaths(at, record)
    fs.rmSync(files[5]!)
    fs.appendFileSync(files[1]!, 'x')
    const bad = await fx.blocks.checkBlock(at, record)
    assert.deepEqual(bad.map((shard) => [shard.shardIndex, shard.fault]), [[1, 'wrong size'], [5, 'missing']])
  })

  it('writes a page-aligned block\'s shards, and checks them, past the page cache', async (t) => {
    const dir = fx.pools.pool('archive').drives[0]!.dir!
    if (execFileSync('stat', ['-f', '-c', '%T', dir], {encoding: 'utf8'}).trim() === 'tmpfs') {
      return t.skip('the drives are on tmpfs, whose files live in the page cache')
    }
    const cached = (files: readonly string[]): number[] =>
      files.map((file) => Number(execFileSync('fincore', ['-b', '-n', '-o', 'RES', file], {encoding: 'utf8'}).trim()))
    // 196 607 bytes: three whole 49 152-byte (12-page) data shards and a zero-padded fourth.
    for (const length of [262144, 196_607]) {
      const at = address(length, 32)
      const data = blocksAddon().alignedBuffer(length)
      patternBytes(length, 5).copy(data)
      const record = await write(fx.pools.pool('archive'), data, erasure(4, 2), at)
      const files = shardPaths(at, record)
      assert.deepEqual(cached(files), files.map(() => 0), `${length}-byte block: no shard file is in the page cache after the write`)
      assert.deepEqual(await fx.blocks.checkBlock(at, record), [])
      assert.deepEqual(cached(files), files.map(() => 0), `${length}-byte block: nor after checkBlock read every shard`)
      assert.ok((await readBack(at, record)).bytes.equals(data))
    }
  })

  it('reuses the parity and padded-tail buffers of a written block for the next one', async () => {
    const archive = fx.pools.pool('archive')
    const first = await fx.blocks.encodeShards(erasure(4, 2), patternBytes(100_001, 40))
    assert.equal(first.scratch.length, 3, 'the padded fourth data shard and two parity shards')
    await fx.blocks.writeBlock(archive, address(0, 40), 262144, generation++, patternBytes(100_001, 40), erasure(4, 2), {shards: first})
    const second = await fx.blocks.encodeShards(erasure(4, 2), patternBytes(100_001, 41))
    assert.deepEqual(new Set(second.scratch), new Set(first.scratch), 'the same three buffers again')
  })

  it('keeps blocks apart when many are encoded, written and read around lost shards at once', async () => {
    const archive = fx.pools.pool('archive')
    const blocks = Array.from({length: 24}, (_, i) => ({at: address(i, 41), data: patternBytes(150_001, 100 + i)}))
    // As shift does it: the next block is encoded while the ones before it are being written.
    const writes: Array<Promise<BlockRecord | undefined>> = []
    for (const {at, data} of blocks) {
      const shards = await fx.blocks.encodeShards(erasure(4, 2), data)
      writes.push(fx.blocks.writeBlock(archive, at, 262144, generation++, data, erasure(4, 2), {shards}))
    }
    const records = (await Promise.all(writes)).map((record) => record!)
    for (const [i, {at}] of blocks.entries()) fs.rmSync(shardPaths(at, records[i]!)[i % 4]!)
    const read = await Promise.all(blocks.map(({at}, i) => readBack(at, records[i]!)))
    for (const [i, {data}] of blocks.entries()) {
      assert.ok(read[i]!.bytes.equals(data), `block ${i} reads back as written`)
      assert.equal(read[i]!.report.reconstructed, true)
    }
  })

  it('puts the files of files numbered alike, and of a file\'s consecutive blocks, in one fan-out directory (format 6)', async () => {
    const dirOf = async (at: BlockAddress): Promise<string> => path.dirname(shardPaths(at, await write(fx.pools.writePool, patternBytes(100, at.fileId), {kind: 'single'}, at))[0]!)
    const group = await Promise.all(Array.from({length: FANOUT_GROUP_FILES}, (_, i) => dirOf(address(0, 2 * FANOUT_GROUP_FILES + i))))
    assert.equal(new Set(group).size, 1, 'a group of files shares a directory')
    assert.notEqual(await dirOf(address(0, 3 * FANOUT_GROUP_FILES)), group[0], 'the next group lies elsewhere')
    const blocks = await Promise.all([0, FANOUT_GROUP_BLOCKS - 1, FANOUT_GROUP_BLOCKS].map((index) => dirOf(address(index, 5 * FANOUT_GROUP_FILES))))
    assert.equal(blocks[0], blocks[1], 'a group of blocks shares a directory')
    assert.notEqual(blocks[2], blocks[0], 'the next group of blocks lies elsewhere')
  })

  it('reads a block of format 5 from its file\'s own fan-out directory', async () => {
    const at = address(3, 77)
    const data = patternBytes(5000, 5)
    const written = await write(fx.pools.writePool, data, {kind: 'single'}, at)
    const {groupedFanout: _, ...format5} = written
    const [grouped] = shardPaths(at, written)
    const [byFile] = shardPaths(at, format5)
    assert.notEqual(path.dirname(byFile!), path.dirname(grouped!))
    assert.ok(byFile!.endsWith(`/${fanoutDir(at, 'byFile')}/${path.basename(byFile!)}`), byFile)
    fs.mkdirSync(path.dirname(byFile!), {recursive: true})
    fs.renameSync(grouped!, byFile!)
    assert.ok((await readBack(at, format5)).bytes.equals(data))
  })

  it('never overwrites: the same block written again is a new set of files', async () => {
    const at = address(0, 31)
    const first = await write(fx.pools.writePool, patternBytes(1000, 1), {kind: 'single'}, at)
    const second = await write(fx.pools.writePool, patternBytes(1000, 2), {kind: 'single'}, at)
    const [a] = shardPaths(at, first)
    const [b] = shardPaths(at, second)
    assert.notEqual(a, b)
    assert.ok(fs.existsSync(a!) && fs.existsSync(b!))
  })
})
