import assert from 'node:assert/strict'
import {constants} from 'node:fs'
import {after, before, describe, it} from 'node:test'
import {ROOT_INODE} from '../../src/lib/format/constants.js'
import {ShmrFs} from '../../src/lib/fs/shmrFs.js'
import {openFixture, type OpenFixture} from '../helpers/openFixture.js'

const BLOCK = 1024 * 1024
const CACHE_BYTES = 16 * BLOCK

let fx: OpenFixture
let shmr: ShmrFs
let flushes = 0
before(async () => {
  fx = await openFixture({blockSizeBytes: BLOCK})
  shmr = new ShmrFs(fx.store, fx.blocks, fx.pools, {cacheBytes: CACHE_BYTES, flushAfterMs: 600_000, maxFlushing: 4, onStoredChange: () => flushes++}, () => {})
})
after(async () => { await fx.store.close() })

const contentOf = (i: number, length: number): Buffer => Buffer.alloc(length, (i * 13 + 5) & 0xff)

describe('small files in the data path', () => {
  it('buffers a small file in about its size, not a whole block: a hundred 4 KiB files fit a 16-block cache without a flush', async () => {
    for (let i = 0; i < 100; i++) {
      const handle = await shmr.createFile(ROOT_INODE, `small-${i}`, 0o644, constants.O_WRONLY)
      await shmr.data.write(handle.id, contentOf(i, 4096), 4096, 0)
      await shmr.data.release(handle.id)
    }
    assert.equal(flushes, 0, 'no block had to be written out for room')
    for (let i = 0; i < 100; i += 9) {
      const ino = shmr.namespace.lookup(ROOT_INODE, `small-${i}`).ino
      const handle = await shmr.open(ino, constants.O_RDONLY)
      const target = Buffer.alloc(8192, 0xee)
      const answer = await shmr.data.read(handle.id, target, 8192, 0)
      assert.equal(answer, 4096)
      assert.ok(target.subarray(0, 4096).equals(contentOf(i, 4096)))
      await shmr.data.release(handle.id)
    }
  })

  it('holds a closed file written in big writes in about its size: sixty of 200 KB, written as cp does, fit a 16-block cache without a flush', async () => {
    const size = 200_000
    const before = flushes
    for (let i = 0; i < 60; i++) {
      const handle = await shmr.createFile(ROOT_INODE, `copied-${i}`, 0o644, constants.O_WRONLY)
      // cp's 128 KiB writes: the first takes a whole block's buffer, the close gives it back.
      const content = contentOf(i, size)
      for (let at = 0; at < size; at += 131072) await shmr.data.write(handle.id, content.subarray(at), Math.min(131072, size - at), at)
      await shmr.data.release(handle.id)
    }
    assert.equal(flushes, before, 'no block had to be written out for room')
    const grown = await shmr.open(shmr.namespace.lookup(ROOT_INODE, 'copied-7').ino, constants.O_RDWR)
    await shmr.data.write(grown.id, contentOf(99, 100), 100, 400_000)
    for (const [name, id] of [['copied-7', grown.id], ['copied-31', undefined]] as const) {
      const handle = id ?? (await shmr.open(shmr.namespace.lookup(ROOT_INODE, name).ino, constants.O_RDONLY)).id
      const target = Buffer.alloc(BLOCK, 0xee)
      const answer = await shmr.data.read(handle, target, BLOCK, 0)
      const bytes = typeof answer === 'number' ? target.subarray(0, answer) : Buffer.from(answer.buffer.subarray(answer.offset, answer.offset + answer.count))
      if (typeof answer !== 'number') shmr.data.endLoan(answer.buffer)
      const expected = name === 'copied-7' ? Buffer.concat([contentOf(7, size), Buffer.alloc(200_000), contentOf(99, 100)]) : contentOf(31, size)
      assert.ok(bytes.equals(expected), `${name} reads back as written, zeros between its end and a later write past it`)
      await shmr.data.release(handle)
    }
  })

  it('loads a stored small file into about its size: a hundred read cold stay in a 16-block cache', async () => {
    for (let i = 0; i < 100; i++) {
      const handle = await shmr.createFile(ROOT_INODE, `stored-${i}`, 0o644, constants.O_WRONLY)
      await shmr.data.write(handle.id, contentOf(i, 4096), 4096, 0)
      await shmr.data.syncFile(handle.file.ino)
      await shmr.data.release(handle.id)
    }
    // A fresh data path: nothing cached, every file's block on disk.
    let misses = 0
    const cold = new ShmrFs(fx.store, fx.blocks, fx.pools, {cacheBytes: CACHE_BYTES, flushAfterMs: 600_000, maxFlushing: 4, onCacheLookup: (hit) => { if (!hit) misses++ }}, () => {})
    const readAll = async (): Promise<void> => {
      for (let i = 0; i < 100; i++) {
        const handle = await cold.open(cold.namespace.lookup(ROOT_INODE, `stored-${i}`).ino, constants.O_RDONLY)
        const target = Buffer.alloc(8192, 0xee)
        assert.equal(await cold.data.read(handle.id, target, 8192, 0), 4096)
        assert.ok(target.subarray(0, 4096).equals(contentOf(i, 4096)))
        await cold.data.release(handle.id)
      }
    }
    await readAll()
    const firstPass = misses
    assert.ok(firstPass >= 90, `${firstPass} of 100 blocks were read from disk`)
    await readAll()
    assert.equal(misses, firstPass, 'all of them stayed cached (at a whole block each, 16 would have)')
  })

  it('grows a small block as writes reach further, reading zeros where nothing was written, and stores it whole', async () => {
    const handle = await shmr.createFile(ROOT_INODE, 'growing', 0o644, constants.O_RDWR)
    await shmr.data.write(handle.id, contentOf(1, 100), 100, 0)
    await shmr.data.write(handle.id, contentOf(2, 100), 100, 300_000)
    await shmr.data.write(handle.id, contentOf(3, 100), 100, 700_000)
    const expected = Buffer.alloc(700_100)
    contentOf(1, 100).copy(expected, 0)
    contentOf(2, 100).copy(expected, 300_000)
    contentOf(3, 100).copy(expected, 700_000)
    const read = async (): Promise<Buffer> => {
      const target = Buffer.alloc(BLOCK, 0xee)
      const answer = await shmr.data.read(handle.id, target, BLOCK, 0)
      const bytes = typeof answer === 'number' ? target.subarray(0, answer) : answer.buffer.subarray(answer.offset, answer.offset + answer.count)
      if (typeof answer !== 'number') shmr.data.endLoan(answer.buffer)
      return Buffer.from(bytes)
    }
    assert.ok((await read()).equals(expected), 'buffered')
    await shmr.data.syncFile(handle.file.ino)
    await shmr.data.release(handle.id)
    const again = await shmr.open(handle.file.ino, constants.O_RDONLY)
    const target = Buffer.alloc(BLOCK)
    const answer = await shmr.data.read(again.id, target, BLOCK, 0)
    const bytes = typeof answer === 'number' ? target.subarray(0, answer) : answer.buffer.subarray(answer.offset, answer.offset + answer.count)
    assert.ok(Buffer.from(bytes).equals(expected), 'stored')
    if (typeof answer !== 'number') shmr.data.endLoan(answer.buffer)
    await shmr.data.release(again.id)
  })

  it('drops what a closed file buffered when it is deleted, instead of writing it out', async () => {
    const stored = new Set<number>()
    const fresh = new ShmrFs(fx.store, fx.blocks, fx.pools, {cacheBytes: CACHE_BYTES, flushAfterMs: 600_000, maxFlushing: 4, onStoredChange: (ino) => stored.add(ino)}, () => {})
    const handle = await fresh.createFile(ROOT_INODE, 'short-lived', 0o644, constants.O_WRONLY)
    const {ino} = handle.file
    await fresh.data.write(handle.id, contentOf(4, 4096), 4096, 0)
    await fresh.data.release(handle.id)
    assert.equal(fresh.data.dirtyBlocks(ino), 1)
    await fresh.namespace.remove(ROOT_INODE, 'short-lived', 'file')
    assert.equal(fresh.data.dirtyBlocks(ino), 0, 'its block is no longer buffered')
    await fresh.data.flushAll()
    assert.ok(!stored.has(ino), 'nothing of it was written out')
    assert.equal(fx.store.blockMaps.findBlock(ino, 0), undefined)
  })

  it('writes a closed file\'s new blocks out after a tenth of flushAfter; an open file\'s, and a block over stored bytes, only after all of it', async () => {
    const flushAfterMs = 10_000
    const fresh = new ShmrFs(fx.store, fx.blocks, fx.pools, {cacheBytes: CACHE_BYTES, flushAfterMs, maxFlushing: 4}, () => {})
    const aTenth = (): Promise<unknown> => new Promise((resolve) => setTimeout(resolve, flushAfterMs / 10 + 200))
    // The open file is written first: by age alone, it would be due first.
    const open = await fresh.createFile(ROOT_INODE, 'still-open', 0o644, constants.O_WRONLY)
    await fresh.data.write(open.id, contentOf(5, 4096), 4096, 0)
    const closed = await fresh.createFile(ROOT_INODE, 'closed', 0o644, constants.O_WRONLY)
    await fresh.data.write(closed.id, contentOf(6, 4096), 4096, 0)
    await fresh.data.release(closed.id)
    await aTenth()
    await fresh.data.flushIdle()
    assert.equal(fresh.data.dirtyBlocks(closed.file.ino), 0, 'the closed file was written out')
    assert.ok(fx.store.blockMaps.findBlock(closed.file.ino, 0), 'and its block committed')
    assert.equal(fresh.data.dirtyBlocks(open.file.ino), 1, 'the open one still waits')
    // Appended to and closed again: its block, now over stored bytes, waits out flushAfter.
    const again = await fresh.open(closed.file.ino, constants.O_WRONLY)
    await fresh.data.write(again.id, contentOf(7, 100), 100, 4096)
    await fresh.data.release(again.id)
    await aTenth()
    await fresh.data.flushIdle()
    assert.equal(fresh.data.dirtyBlocks(closed.file.ino), 1, 'a block over stored bytes waits')
    await fresh.data.release(open.id)
    await fresh.data.flushAll()
  })
})
