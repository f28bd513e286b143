import assert from 'node:assert/strict'
import {constants} from 'node:fs'
import {after, before, describe, it} from 'node:test'
import {ROOT_INODE} from '../../src/lib/format/constants.js'
import type {LentBytes} from '../../src/lib/fs/fileData.js'
import {ShmrFs} from '../../src/lib/fs/shmrFs.js'
import {openFixture, type OpenFixture} from '../helpers/openFixture.js'

// Reads answered with a cached block's buffer, for the binding to copy on its own thread: the
// lent bytes must stay as they were until the loan ends, whatever the data path does meanwhile.
const BLOCK = 65536 // the fixture's block size, also the least a read must be to be lent
const BLOCKS = 24
const CACHE_BLOCKS = 4

let fx: OpenFixture
let shmr: ShmrFs
before(async () => {
  fx = await openFixture()
  shmr = new ShmrFs(fx.store, fx.blocks, fx.pools, {cacheBytes: CACHE_BLOCKS * BLOCK, flushAfterMs: 60_000, maxFlushing: 2}, () => {})
})
after(async () => { await fx.store.close() })

const pattern = (index: number, round = 0): Buffer => Buffer.alloc(BLOCK, (index * 7 + round * 31 + 1) & 0xff)

async function fileOf(name: string): Promise<number> {
  const handle = await shmr.createFile(ROOT_INODE, name, 0o644, constants.O_RDWR)
  for (let index = 0; index < BLOCKS; index++) await shmr.data.write(handle.id, pattern(index), BLOCK, index * BLOCK)
  await shmr.data.flushFile(handle.file.ino)
  return handle.id
}

function lent(answer: number | LentBytes): LentBytes {
  assert.equal(typeof answer, 'object', 'the read was answered with a lent buffer')
  return answer as LentBytes
}

const bytesOf = (bytes: LentBytes): Buffer => bytes.buffer.subarray(bytes.offset, bytes.offset + bytes.count)

describe('reads answered with a lent block buffer', () => {
  it('lends a read that lies in one block and is long enough; copies the others', async () => {
    const handle = await fileOf('sizes')
    const whole = lent(await shmr.data.read(handle, Buffer.alloc(BLOCK), BLOCK, 3 * BLOCK))
    assert.ok(bytesOf(whole).equals(pattern(3)))
    shmr.data.endLoan(whole.buffer)

    const target = Buffer.alloc(BLOCK)
    assert.equal(await shmr.data.read(handle, target, 4096, 3 * BLOCK), 4096, 'a short read is copied')
    assert.ok(target.subarray(0, 4096).equals(pattern(3).subarray(0, 4096)))
    assert.equal(await shmr.data.read(handle, target, BLOCK, 3 * BLOCK + BLOCK / 2), BLOCK, 'a read across two blocks is copied')
    assert.ok(target.equals(Buffer.concat([pattern(3).subarray(BLOCK / 2), pattern(4).subarray(0, BLOCK / 2)])))
  })

  it('keeps a lent buffer\'s bytes through a write to its block, and the next read sees the write', async () => {
    const handle = await fileOf('write')
    const before = lent(await shmr.data.read(handle, Buffer.alloc(BLOCK), BLOCK, 5 * BLOCK))
    await shmr.data.write(handle, pattern(5, 1), BLOCK / 2, 5 * BLOCK)
    assert.ok(bytesOf(before).equals(pattern(5)), 'the lent bytes did not change')
    const afterWrite = lent(await shmr.data.read(handle, Buffer.alloc(BLOCK), BLOCK, 5 * BLOCK))
    assert.notEqual(afterWrite.buffer, before.buffer)
    assert.ok(bytesOf(afterWrite).equals(Buffer.concat([pattern(5, 1).subarray(0, BLOCK / 2), pattern(5).subarray(BLOCK / 2)])))
    shmr.data.endLoan(before.buffer)
    shmr.data.endLoan(afterWrite.buffer)
  })

  it('keeps a lent buffer\'s bytes through a truncate that cuts its block', async () => {
    const handle = await fileOf('truncate')
    const ino = shmr.data.handle(handle).file.ino
    const before = lent(await shmr.data.read(handle, Buffer.alloc(BLOCK), BLOCK, 7 * BLOCK))
    await shmr.data.truncate(ino, 7 * BLOCK + 100)
    assert.ok(bytesOf(before).equals(pattern(7)), 'the lent bytes did not change')
    shmr.data.endLoan(before.buffer)
    await shmr.data.truncate(ino, 8 * BLOCK)
    const target = Buffer.alloc(BLOCK)
    const again = await shmr.data.read(handle, target, BLOCK, 7 * BLOCK)
    const expected = Buffer.concat([pattern(7).subarray(0, 100), Buffer.alloc(BLOCK - 100)])
    assert.ok(bytesOf(lent(again)).equals(expected), 'the cut tail reads as zeros')
    shmr.data.endLoan(lent(again).buffer)
  })

  it('does not reuse a lent buffer for other blocks when its block is evicted, until the loan ends', async () => {
    const handle = await fileOf('evict')
    const held = lent(await shmr.data.read(handle, Buffer.alloc(BLOCK), BLOCK, 0))
    // Each block read through a cache of four evicts one; a reused buffer would take other bytes.
    for (let round = 0; round < 2; round++) {
      for (let index = 1; index < BLOCKS; index++) {
        const answer = lent(await shmr.data.read(handle, Buffer.alloc(BLOCK), BLOCK, index * BLOCK))
        assert.notEqual(answer.buffer, held.buffer)
        assert.ok(bytesOf(answer).equals(pattern(index)))
        shmr.data.endLoan(answer.buffer)
      }
    }
    assert.ok(bytesOf(held).equals(pattern(0)), 'the lent bytes did not change')
    shmr.data.endLoan(held.buffer)
    // Once given back, the buffer is a spare again and serves the next load.
    const reused: Buffer[] = []
    for (let index = 1; index < BLOCKS; index++) {
      const answer = lent(await shmr.data.read(handle, Buffer.alloc(BLOCK), BLOCK, index * BLOCK))
      reused.push(answer.buffer)
      shmr.data.endLoan(answer.buffer)
    }
    assert.ok(reused.includes(held.buffer), 'the buffer went back to the pool when its loan ended')
  })
})
