import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {BlockCache, type CachedBlock} from '../../src/lib/fs/blockCache.js'

const MiB = 1024 * 1024

function cachedBlock(cache: BlockCache, index: number, dirty = false): CachedBlock {
  return {ino: 7, index, buffer: cache.buffers.take(MiB), partial: undefined, dirty, dirtySinceMs: 0, baseGeneration: undefined, busy: undefined}
}

describe('block cache', () => {
  it('makes room for a block being read in before its read starts, least recently used first', () => {
    const cache = new BlockCache(4 * MiB)
    for (let index = 0; index < 4; index++) cache.insert(cachedBlock(cache, index))
    cache.touch(cache.get(7, 0)!)
    cache.reserve(2 * MiB)
    assert.deepEqual([0, 1, 2, 3].filter((index) => cache.get(7, index)), [0, 3])
    cache.unreserve(2 * MiB)
    cache.insert(cachedBlock(cache, 4))
    cache.insert(cachedBlock(cache, 5))
    assert.deepEqual([0, 3, 4, 5].filter((index) => cache.get(7, index)), [0, 3, 4, 5])
  })

  it('never evicts dirty blocks to make that room', () => {
    const cache = new BlockCache(2 * MiB)
    cache.insert(cachedBlock(cache, 0, true))
    cache.insert(cachedBlock(cache, 1, true))
    cache.reserve(MiB)
    assert.ok(cache.get(7, 0) && cache.get(7, 1))
  })
})
