import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {createCodec, reconstructShards} from '../../src/lib/erasure/codec.js'
import {instantiateReedSolomon} from '../../src/lib/erasure/wasmModule.js'
import {isShmrError} from '../../src/lib/errors.js'
import {patternBytes, subsetsUpTo} from '../helpers/tempDir.js'

async function encoded(data: number, parity: number, shardBytes: number): Promise<Buffer[]> {
  const codec = createCodec({dataShards: data, parityShards: parity})
  const shards = Array.from({length: data + parity}, (_, i) => (i < data ? patternBytes(shardBytes, i + 1) : Buffer.alloc(shardBytes)))
  await codec.encode(shards)
  return shards
}

/** Parity as the Rust reed-solomon-erasure crate itself computes it: the shard format's definition. */
function crateParity(data: number, parity: number, dataShards: readonly Buffer[]): Buffer[] {
  const wasm = instantiateReedSolomon()
  const shardBytes = dataShards[0]!.length
  const total = (data + parity) * shardBytes
  const area = wasm.__wbindgen_malloc(total)
  dataShards.forEach((shard, i) => new Uint8Array(wasm.memory.buffer, area + i * shardBytes, shardBytes).set(shard))
  assert.equal(wasm.encode(area, total, data, parity), 0)
  return Array.from({length: parity}, (_, r) => Buffer.from(new Uint8Array(wasm.memory.buffer, area + (data + r) * shardBytes, shardBytes)))
}

describe('erasure codec: the crate\'s shard format', () => {
  for (const [data, parity, shardBytes] of [[4, 2, 4099], [3, 2, 1], [8, 3, 65537], [10, 4, 15], [1, 1, 33], [17, 3, 100], [200, 56, 64]] as const) {
    it(`${data}+${parity} parity equals the reed-solomon-erasure crate's, ${shardBytes}-byte shards`, async () => {
      const shards = await encoded(data, parity, shardBytes)
      const expected = crateParity(data, parity, shards.slice(0, data))
      expected.forEach((shard, r) => assert.ok(shard.equals(shards[data + r]!), `parity shard ${r}`))
    })
  }
})

for (const [data, parity] of [[4, 2], [3, 2]] as const) {
  describe(`erasure codec ${data}+${parity}`, () => {
    const codec = createCodec({dataShards: data, parityShards: parity})
    let original: Buffer[] = []

    it('produces parity that verifies, and detects a flipped byte', async () => {
      original = await encoded(data, parity, 4099)
      assert.ok(await codec.verify(original))
      const damaged = original.map((shard) => Buffer.from(shard))
      damaged[data]![17]! ^= 0x40
      assert.equal(await codec.verify(damaged), false)
    })

    for (const lost of subsetsUpTo(data + parity, parity)) {
      it(`reconstructs every shard with shards [${lost.join(',')}] lost`, async () => {
        const shards = original.map((shard, i) => (lost.includes(i) ? Buffer.alloc(shard.length, 0xee) : Buffer.from(shard)))
        await codec.reconstruct(shards, shards.map((_, i) => !lost.includes(i)))
        shards.forEach((shard, i) => assert.ok(shard.equals(original[i]!), `shard ${i} differs`))
      })
    }

    it('with dataOnly rebuilds the data shards and leaves parity alone', async () => {
      const shards = original.map((shard) => Buffer.from(shard))
      shards[0]!.fill(0)
      shards[data]!.fill(0)
      await codec.reconstruct(shards, shards.map((_, i) => i !== 0 && i !== data), {dataOnly: true})
      assert.ok(shards[0]!.equals(original[0]!))
      assert.ok(shards[data]!.equals(Buffer.alloc(shards[data]!.length)))
    })

    it(`refuses with CORRUPT when ${parity + 1} shards are lost`, async () => {
      const shards = original.map((shard) => Buffer.from(shard))
      const present = shards.map((_, i) => i > parity)
      await assert.rejects(codec.reconstruct(shards, present), (error) => isShmrError(error, 'CORRUPT'))
    })
  })
}

describe('erasure codec across calls and sizes', () => {
  it('keeps working over many calls of growing and shrinking shard sizes', async () => {
    const codec = createCodec({dataShards: 4, parityShards: 2})
    for (const shardBytes of [1, 7, 65536, 3, 262144, 100]) {
      for (let round = 0; round < 3; round++) {
        const shards = Array.from({length: 6}, (_, i) => (i < 4 ? patternBytes(shardBytes, i + round * 7 + 1) : Buffer.alloc(shardBytes)))
        await codec.encode(shards)
        const copy = shards.map((shard) => Buffer.from(shard))
        shards[1]!.fill(0)
        shards[3]!.fill(0)
        await codec.reconstruct(shards, [true, false, true, false, true, true])
        shards.forEach((shard, i) => assert.ok(shard.equals(copy[i]!), `size ${shardBytes} round ${round} shard ${i}`))
      }
    }
  })

  it('rebuilds correctly with several requests in flight at once on the thread pool', async () => {
    const original = await encoded(4, 2, 70_001)
    await Promise.all([[0, 1], [2, 5], [3], [1, 4], [0, 3], [4, 5]].map(async (lost) => {
      const shards = original.map((shard, i) => (lost.includes(i) ? Buffer.alloc(shard.length) : Buffer.from(shard)))
      await reconstructShards(4, 2, shards, shards.map((_, i) => !lost.includes(i)))
      shards.forEach((shard, i) => assert.ok(shard.equals(original[i]!), `lost [${lost}], shard ${i}`))
    }))
  })

  it('rejects impossible schemes and shards of unequal length', async () => {
    assert.throws(() => createCodec({dataShards: 0, parityShards: 2}), (error) => isShmrError(error, 'BAD_ARGUMENT'))
    assert.throws(() => createCodec({dataShards: 200, parityShards: 100}), (error) => isShmrError(error, 'BAD_ARGUMENT'))
    const codec = createCodec({dataShards: 2, parityShards: 1})
    await assert.rejects(codec.encode([Buffer.alloc(4), Buffer.alloc(5), Buffer.alloc(4)]), /same length/)
  })
})
