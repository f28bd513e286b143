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

  it('keeps small buffers apart, up to a quarter of its budget, and hands them back by size', () => {
    const pool = new BufferPool(4 * MiB)
    const large = pool.take(MiB)
    pool.give(large)
    const small = Array.from({length: 300}, () => pool.takeSmall(12 * 1024))
    assert.equal(pool.take(MiB), large, 'small takes leave the block-sized spares alone')
    for (const buffer of small) pool.give(buffer)
    assert.equal(pool.heldBytes, Math.floor(MiB / (12 * 1024)) * 12 * 1024)
    const again = pool.takeSmall(12 * 1024)
    assert.ok(small.includes(again))
    assert.equal(pool.takeLike(again).length, 12 * 1024)
    assert.ok(small.includes(pool.takeLike(again)), 'a small buffer\'s like is a small spare')
  })

  it('lets small spares of other sizes go when a take finds the small spares full', () => {
    const pool = new BufferPool(4 * MiB)
    const old = Array.from({length: 128}, () => pool.takeSmall(8 * 1024))
    for (const buffer of old) pool.give(buffer)
    assert.equal(pool.heldBytes, MiB)
    const fresh = pool.takeSmall(4 * 1024)
    assert.ok(!old.includes(fresh))
    assert.equal(pool.heldBytes, 0)
    pool.give(fresh)
    assert.equal(pool.takeSmall(4 * 1024), fresh)
  })

  it('keeps a lent small buffer out of the spares until its loan ends', () => {
    const pool = new BufferPool(4 * MiB)
    const buffer = pool.takeSmall(16 * 1024)
    pool.lend(buffer)
    pool.give(buffer)
    assert.notEqual(pool.takeSmall(16 * 1024), buffer)
    pool.endLoan(buffer)
    assert.equal(pool.takeSmall(16 * 1024), buffer)
  })
})
