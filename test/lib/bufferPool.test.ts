import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {BufferPool} from '../../src/lib/blocks/bufferPool.js'

const MiB = 1024 * 1024

describe('block buffer pool', () => {
  it('hands a given buffer back for the next take of its size', () => {
    const pool = new BufferPool(4 * MiB)
    const buffer = pool.take(MiB)
    pool.give(buffer)
    assert.equal(pool.take(MiB), buffer)
    assert.equal(pool.heldBytes, 0)
  })

  it('keeps spares up to its byte budget', () => {
    const pool = new BufferPool(4 * MiB)
    const buffers = Array.from({length: 10}, () => pool.take(MiB))
    for (const buffer of buffers) pool.give(buffer)
    assert.equal(pool.heldBytes, 4 * MiB)
  })

  it('keeps one buffer larger than the budget, when it holds no other', () => {
    const pool = new BufferPool(MiB)
    const [a, b] = [pool.take(8 * MiB), pool.take(8 * MiB)]
    pool.give(a)
    pool.give(b)
    assert.equal(pool.heldBytes, 8 * MiB)
    assert.equal(pool.take(8 * MiB), a)
  })

  it('lets spares of other sizes go when a take finds none of its own', () => {
    const pool = new BufferPool(64 * MiB)
    const large = [pool.take(16 * MiB), pool.take(16 * MiB)]
    for (const buffer of large) pool.give(buffer)
    assert.equal(pool.heldBytes, 32 * MiB)
    const small = pool.take(MiB)
    assert.equal(pool.heldBytes, 0)
    assert.ok(!large.includes(small))
    assert.equal(small.length, MiB)
  })

  it('keeps a lent buffer out of the spares until its last loan ends', () => {
    const pool = new BufferPool(4 * MiB)
    const buffer = pool.take(MiB)
    pool.lend(buffer)
    pool.lend(buffer)
    pool.give(buffer)
    assert.equal(pool.heldBytes, 0, 'given while lent: not a spare yet')
    assert.notEqual(pool.take(MiB), buffer)
    pool.endLoan(buffer)
    assert.ok(pool.isLent(buffer))
    assert.equal(pool.heldBytes, 0)
    pool.endLoan(buffer)
    assert.ok(!pool.isLent(buffer))
    assert.equal(pool.heldBytes, MiB)
    assert.equal(pool.take(MiB), buffer)
  })

  it('lets a buffer whose loan ends without a give stay with its owner', () => {
    const pool = new BufferPool(4 * MiB)
    const buffer = pool.take(MiB)
    pool.lend(buffer)
    pool.endLoan(buffer)
    assert.equal(pool.heldBytes, 0)
    assert.ok(!pool.isLent(buffer))
  })
})
