import {blocksAddon} from '../native/blocksAddon.js'

/**
 * Reuses block-sized buffers: allocating a fresh megabyte per block load or write would churn
 * the allocator on the hot path. Keeps at most `maxFreePerSize` spare buffers of each size.
 * Buffers are page-aligned, so block files are read and written past the page cache.
 */
export class BufferPool {
  private readonly free = new Map<number, Buffer[]>()

  constructor(private readonly maxFreePerSize = 16) {}

  /** A buffer of exactly `size` bytes with unspecified contents. */
  take(size: number): Buffer {
    return this.free.get(size)?.pop() ?? blocksAddon().alignedBuffer(size)
  }

  give(buffer: Buffer): void {
    let list = this.free.get(buffer.length)
    if (!list) this.free.set(buffer.length, (list = []))
    if (list.length < this.maxFreePerSize) list.push(buffer)
  }
}
