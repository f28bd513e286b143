import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {BlockCache, HOLD_MS, idleBlock, type CachedBlock} from '../../src/lib/fs/blockCache.js'

const MiB = 1024 * 1024

function cachedBlock(cache: BlockCache, index: number, dirty = false): CachedBlock {
  return {...idleBlock(7, index, cache.buffers.take(MiB), undefined), dirty}
}

/** Whether `promise` has settled once pending callbacks have run. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false
  void promise.then(() => (done = true))
  await new Promise((resolve) => setImmediate(resolve))
  return done
}

describe('block cache', () => {
  it('makes room for a block being read in before its read starts, least recently used first', () => {
    const cache = new BlockCache(4 * MiB)
    for (let index = 0; index < 4; index++) cache.insert(cachedBlock(cache, index))
    cache.touch(cache.get(7, 0)!)
    assert.ok(cache.tryAdmit(2 * MiB))
    assert.deepEqual([0, 1, 2, 3].filter((index) => cache.get(7, index)), [0, 3])
    cache.unreserve(2 * MiB)
    cache.insert(cachedBlock(cache, 4))
    cache.insert(cachedBlock(cache, 5))
    assert.deepEqual([0, 3, 4, 5].filter((index) => cache.get(7, index)), [0, 3, 4, 5])
  })

  it('reuses the buffers of the blocks evicted for loads admitted together, beyond its spares', () => {
    // 16 MiB: spares of 2 MiB at most. Six loads admitted in one turn evict six blocks before
    // any of them takes a buffer; all six must get evicted buffers, none a fresh one.
    const cache = new BlockCache(16 * MiB)
    const blocks = Array.from({length: 16}, (_, index) => cache.insert(cachedBlock(cache, index)))
    for (let load = 0; load < 6; load++) assert.ok(cache.tryAdmit(MiB))
    const evicted = new Set(blocks.filter((block) => !cache.holds(block)).map((block) => block.buffer))
    assert.equal(evicted.size, 6)
    for (let load = 0; load < 6; load++) {
      const buffer = cache.buffers.take(MiB)
      cache.bufferTaken(MiB)
      assert.ok(evicted.has(buffer), `load ${load} got a fresh buffer`)
      cache.land(idleBlock(7, 100 + load, buffer, undefined), MiB)
    }
    assert.equal(cache.buffers.heldBytes, 0)
  })

  it('never evicts dirty blocks to make that room', () => {
    const cache = new BlockCache(2 * MiB)
    cache.insert(cachedBlock(cache, 0, true))
    cache.insert(cachedBlock(cache, 1, true))
    assert.equal(cache.tryAdmit(MiB), false)
    assert.ok(cache.get(7, 0) && cache.get(7, 1))
  })

  it('evicts a block dirtied after it was cached only once it is clean again, oldest clean first', () => {
    const cache = new BlockCache(3 * MiB)
    const [a, b, c] = [0, 1, 2].map((index) => cache.insert(cachedBlock(cache, index)))
    a!.dirty = true
    cache.dirtied(a!)
    assert.ok(cache.tryAdmit(MiB))
    assert.deepEqual([a, b, c].map((block) => cache.holds(block!)), [true, false, true])
    cache.unreserve(MiB)
    a!.dirty = false
    cache.cleaned(a!)
    cache.touch(c!)
    assert.ok(cache.tryAdmit(2 * MiB))
    assert.deepEqual([a, b, c].map((block) => cache.holds(block!)), [false, false, true])
    cache.unreserve(2 * MiB)
    // Dirtied without telling the cache (a slip in the data path): still never dropped.
    const d = cache.insert(cachedBlock(cache, 3))
    d.dirty = true
    assert.equal(cache.tryAdmit(3 * MiB), false)
    assert.ok(cache.holds(d))
  })

  it('counts a block being written out apart from the excess until it is released, and evicts it only then', () => {
    const cache = new BlockCache(2 * MiB)
    const blocks = [0, 1, 2].map((index) => cache.insert(cachedBlock(cache, index, true)))
    assert.equal(cache.excessBytes(), MiB)
    const flushed = blocks[0]!
    // As the data path's flush does: clean, then busy until its write and commit are over.
    flushed.dirty = false
    cache.cleaned(flushed)
    flushed.busy = new Promise(() => {})
    cache.busied(flushed)
    assert.equal(cache.excessBytes(), 0)
    cache.evictClean()
    assert.ok(cache.holds(flushed), 'a busy block stays while its buffer is in use')
    // Grown while busy, as a partial block merged with its stored bytes is (fileData's complete): counted at its new size.
    const old = flushed.buffer
    flushed.buffer = Buffer.alloc(2 * MiB)
    cache.resized(flushed, old.length)
    assert.equal(cache.excessBytes(), 0)
    flushed.busy = undefined
    cache.released(flushed)
    assert.ok(!cache.holds(flushed), 'released and clean over budget: evicted')
    assert.equal(cache.excessBytes(), 0)
    // One evicted while busy is no longer counted, nor counted again when released.
    const dropped = blocks[1]!
    dropped.busy = new Promise(() => {})
    cache.busied(dropped)
    cache.evict(dropped)
    assert.equal(cache.excessBytes(), -MiB)
    dropped.busy = undefined
    cache.released(dropped)
    assert.equal(cache.excessBytes(), -MiB)
  })

  it('makes a load wait while every block is pinned by a read, and admits it when one is unpinned', async () => {
    const cache = new BlockCache(2 * MiB)
    const pinned = [cachedBlock(cache, 0), cachedBlock(cache, 1)]
    for (const block of pinned) {
      block.pins = 1
      cache.insert(block)
    }
    const load = cache.admit(MiB)
    assert.equal(await settled(load), false, 'a pinned block is never evicted for a load')
    assert.equal(cache.tryAdmit(MiB), false, 'read-ahead does not go before a waiting load')
    cache.unpin(pinned[1]!)
    assert.equal(await settled(load), true)
    assert.ok(cache.get(7, 0) && !cache.get(7, 1), 'the unpinned block made the room')
  })

  it('spares a block a reader holds while the reader reads on, and takes it once the hold lapses', async () => {
    const cache = new BlockCache(MiB)
    const held = cachedBlock(cache, 0)
    cache.insert(held)
    cache.hold(held, undefined, Date.now())
    const started = Date.now()
    const load = cache.admit(MiB)
    assert.equal(await settled(load), false)
    await load
    assert.ok(Date.now() - started >= HOLD_MS - 50, `admitted after ${Date.now() - started} ms`)
    assert.equal(cache.get(7, 0), undefined)
  })

  it('admits loads in the order they came', async () => {
    const cache = new BlockCache(MiB)
    const block = cachedBlock(cache, 0)
    block.pins = 1
    cache.insert(block)
    const order: number[] = []
    const first = cache.admit(MiB).then(() => order.push(1))
    const second = cache.admit(MiB).then(() => order.push(2))
    cache.unpin(block)
    await first
    assert.deepEqual(order, [1], 'the second waits for the first one\'s room')
    cache.unreserve(MiB)
    await second
    assert.deepEqual(order, [1, 2])
  })

  it('starts flushes when dirty blocks fill the cache, and admits over budget when nothing can change', async () => {
    const cache = new BlockCache(MiB)
    cache.insert(cachedBlock(cache, 0, true))
    let asked = 0
    cache.onPressure = () => {
      asked++
      return false
    }
    await cache.admit(MiB)
    assert.equal(asked, 1)
  })
})
