import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {createCodec} from '../../src/lib/erasure/codec.js'
import {isShmrError} from '../../src/lib/errors.js'
import {patternBytes, subsetsUpTo} from '../helpers/tempDir.js'

function encoded(data: number, parity: number, shardBytes: number): Buffer[] {
  const codec = createCodec({dataShards: data, parityShards: parity})
  const shards = Array.from({length: data + parity}, (_, i) => (i < data ? patternBytes(shardBytes, i + 1) : Buffer.alloc(shardBytes)))
  codec.encode(shards)
  return shards
}

for (const [data, parity] of [[4, 2], [3, 2]] as const) {
  describe(`erasure codec ${data}+${parity}`, () => {
    const original = encoded(data, parity, 4099)
    const codec = createCodec({dataShards: data, parityShards: parity})

    it('produces parity that verifies, and detects a flipped byte', () => {
      assert.ok(codec.verify(original))
      const damaged = original.map((shard) => Buffer.from(shard))
      damaged[data]![17]! ^= 0x40
      assert.equal(codec.verify(damaged), false)
    })

    for (const lost of subsetsUpTo(data + parity, parity)) {
      it(`reconstructs every shard with shards [${lost.join(',')}] lost`, () => {
        const shards = original.map((shard, i) => (lost.includes(i) ? Buffer.alloc(shard.length, 0xee) : Buffer.from(shard)))
        codec.reconstruct(shards, shards.map((_, i) => !lost.includes(i)))
        shards.forEach((shard, i) => assert.ok(shard.equals(original[i]!), `shard ${i} differs`))
      })
    }

    it('with dataOnly rebuilds the data shards and leaves parity alone', () => {
      const shards = original.map((shard) => Buffer.from(shard))
      shards[0]!.fill(0)
      shards[data]!.fill(0)
      codec.reconstruct(shards, shards.map((_, i) => i !== 0 && i !== data), {dataOnly: true})
      assert.ok(shards[0]!.equals(original[0]!))
      assert.ok(shards[data]!.equals(Buffer.alloc(shards[data]!.length)))
    })

    it(`refuses with CORRUPT when ${parity + 1} shards are lost`, () => {
      const shards = original.map((shard) => Buffer.from(shard))
      const present = shards.map((_, i) => i > parity)
      assert.throws(() => codec.reconstruct(shards, present), (error) => isShmrError(error, 'CORRUPT'))
    })
  })
}

describe('erasure codec across calls and sizes', () => {
  it('keeps working over many calls of growing and shrinking shard sizes', () => {
    const codec = createCodec({dataShards: 4, parityShards: 2})
    for (const shardBytes of [1, 7, 65536, 3, 262144, 100]) {
      for (let round = 0; round < 3; round++) {
        const shards = Array.from({length: 6}, (_, i) => (i < 4 ? patternBytes(shardBytes, i + round * 7 + 1) : Buffer.alloc(shardBytes)))
        codec.encode(shards)
        const copy = shards.map((shard) => Buffer.from(shard))
        shards[1]!.fill(0)
        shards[3]!.fill(0)
        codec.reconstruct(shards, [true, false, true, false, true, true])
        shards.forEach((shard, i) => assert.ok(shard.equals(copy[i]!), `size ${shardBytes} round ${round} shard ${i}`))
      }
    }
  })

  it('rejects impossible schemes', () => {
    assert.throws(() => createCodec({dataShards: 0, parityShards: 2}), (error) => isShmrError(error, 'BAD_ARGUMENT'))
    assert.throws(() => createCodec({dataShards: 200, parityShards: 100}), (error) => isShmrError(error, 'BAD_ARGUMENT'))
  })
})

describe('erasure reconstruction on worker threads', () => {
  it('rebuilds the same shards as the inline codec, several requests in flight at once', async () => {
    const {CodecWorkers} = await import('../../src/lib/erasure/codecWorkers.js')
    const workers = new CodecWorkers(2)
    try {
      const original = encoded(4, 2, 70_001)
      const runs = [[0, 1], [2, 5], [3], [1, 4]].map(async (lost) => {
        const shards = original.map((shard, i) => (lost.includes(i) ? Buffer.alloc(shard.length) : Buffer.from(shard)))
        await workers.reconstruct(4, 2, shards, shards.map((_, i) => !lost.includes(i)))
        shards.forEach((shard, i) => assert.ok(shard.equals(original[i]!), `lost [${lost}], shard ${i}`))
      })
      await Promise.all(runs)
      const tooFew = original.map((shard) => Buffer.from(shard))
      await assert.rejects(workers.reconstruct(4, 2, tooFew, [true, false, false, false, true, true]), (error) => isShmrError(error, 'CORRUPT'))
    } finally {
      await workers.close()
    }
  })
})
