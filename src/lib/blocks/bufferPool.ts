import {blocksAddon} from '../native/blocksAddon.js'

/** Small spares may hold `maxSpareBytes` divided by this, besides the block-sized ones. */
const SMALL_SPARE_SHARE = 4

/** Spare buffers by size, and their bytes in all: the block-sized spares, and the small ones apart. */
class Spares {
  private readonly bySize = new Map<number, Buffer[]>()
  bytes = 0

  /** A spare of exactly `size` bytes, if one is kept. */
  pop(size: number): Buffer | undefined {
    const spare = this.bySize.get(size)?.pop()
    if (spare) this.bytes -= size
    return spare
  }

  push(buffer: Buffer): void {
    let list = this.bySize.get(buffer.length)
    if (!list) this.bySize.set(buffer.length, (list = []))
    list.push(buffer)
    this.bytes += buffer.length
  }

  clear(): void {
    this.bySize.clear()
    this.bytes = 0
  }
}

/**
 * Reuses page-aligned buffers of a few sizes: allocating a fresh megabyte per block load or
 * write, or fresh parity per encoded block, would churn the allocator and fault in fresh pages on
 * the hot path (and the buffers are external memory, freed only when V8 collects them, so fresh
 * ones pile up between collections). Aligned, so block and shard files are read and written past
 * the page cache.
 *
 * Spares are memory on top of what their owner budgets for, so they are bounded in bytes: at most
 * `maxSpareBytes`, or one buffer of any size when there is no other (a 64 MiB archive block is
 * larger than the cache's share, and reading such a file must still reuse its buffers). A take
 * that finds no spare of its size lets go of the spares of other sizes: the blocks being read or
 * written have changed size (archived files read, then files on the write pool), and the old
 * size's spares would otherwise stay for good. (Before, 16 spares of each size were kept: reading
 * a 64 MiB-block file and then 1 MiB-block ones left 256 MiB of spares beside a full 256 MiB cache.)
 *
 * Small buffers (takeSmall: a small file's block, of about its length) are kept apart, up to
 * `maxSpareBytes / SMALL_SPARE_SHARE`: a tree of small files written or read takes and gives one
 * for each file, of a few sizes, and fresh ones cost an allocation, fresh pages faulted in on
 * their first copy and fill, and garbage collections for their external memory (untarring 20,000
 * files spent 0.7 s of the server's 12.6 s busy there, collections besides).
 */
export class BufferPool {
  private readonly spares = new Spares()
  private readonly smallSpares = new Spares()
  /**
   * Bytes of buffers about to be taken (see `reserve`): spares are kept up to this much beyond
   * `maxSpareBytes`. A cache that admits several loads in one turn evicts a block for each before
   * any load takes its buffer; without it every eviction past the bound dropped its buffer and the
   * loads allocated afresh (copying 160 MiB through a 16 MiB cache allocated 65 fresh megabytes
   * and grew the server by up to 81 MiB).
   */
  private reservedBytes = 0
  /** Buffers of takeSmall: kept as small spares, apart from the others. */
  private readonly small = new WeakSet<Buffer>()
  /** Buffers lent out (to the binding, copying a read's reply from them on another thread), with how many times. */
  private readonly lent = new Map<Buffer, number>()
  /** Lent buffers given back meanwhile: they join the spares when the last loan ends. */
  private readonly givenWhileLent = new Set<Buffer>()

  constructor(private readonly maxSpareBytes: number) {}

  /** A buffer of exactly `size` bytes with unspecified contents. */
  take(size: number): Buffer {
    const spare = this.spares.pop(size)
    if (spare) return spare
    this.spares.clear()
    return blocksAddon().alignedBuffer(size)
  }

  /**
   * A buffer of `size` bytes (contents unspecified), not aligned, that returns to the small spares
   * only: for buffers of odd sizes (a small file's block), which would otherwise push the spares
   * of the usual size out (see above). A take that finds no spare of its size while the small
   * spares are full lets go of them: they are of sizes no longer asked for.
   */
  takeSmall(size: number): Buffer {
    const spare = this.smallSpares.pop(size)
    if (spare) return spare
    if (this.smallSpares.bytes + size > this.maxSpareBytes / SMALL_SPARE_SHARE) this.smallSpares.clear()
    const buffer = Buffer.allocUnsafeSlow(size)
    this.small.add(buffer)
    return buffer
  }

  /** A buffer like `buffer`: of its size, small or not as it is. */
  takeLike(buffer: Buffer): Buffer {
    return this.small.has(buffer) ? this.takeSmall(buffer.length) : this.take(buffer.length)
  }

  give(buffer: Buffer): void {
    if (this.lent.has(buffer)) {
      this.givenWhileLent.add(buffer)
      return
    }
    if (this.small.has(buffer)) {
      if (this.smallSpares.bytes + buffer.length <= this.maxSpareBytes / SMALL_SPARE_SHARE) this.smallSpares.push(buffer)
      return
    }
    if (this.spares.bytes > 0 && this.spares.bytes + buffer.length > this.maxSpareBytes + this.reservedBytes) return
    this.spares.push(buffer)
  }

  /**
   * Marks a buffer as read by someone else until `endLoan`: its bytes must not change, and a
   * `give` meanwhile waits for the loan to end, so the buffer is not taken for other data.
   */
  lend(buffer: Buffer): void {
    this.lent.set(buffer, (this.lent.get(buffer) ?? 0) + 1)
  }

  endLoan(buffer: Buffer): void {
    const loans = (this.lent.get(buffer) ?? 0) - 1
    if (loans > 0) {
      this.lent.set(buffer, loans)
      return
    }
    this.lent.delete(buffer)
    if (this.givenWhileLent.delete(buffer)) this.give(buffer)
  }

  /** Whether `buffer` came from takeSmall (a small block's). */
  isSmall(buffer: Buffer): boolean {
    return this.small.has(buffer)
  }

  isLent(buffer: Buffer): boolean {
    return this.lent.has(buffer)
  }

  /** Buffers of `bytes` in all will be taken soon: keep spares for them (see reservedBytes). */
  reserve(bytes: number): void {
    this.reservedBytes += bytes
  }

  /** A reserved take happened, or will not. */
  release(bytes: number): void {
    this.reservedBytes -= bytes
  }

  /** Bytes held in spare buffers, small ones included. */
  get heldBytes(): number {
    return this.spares.bytes + this.smallSpares.bytes
  }
}
