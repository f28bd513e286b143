import {BufferPool} from '../blocks/bufferPool.js'

/**
 * One block's bytes in memory. Content past the file's end is always zero. A block that writes
 * began on is `partial` until it is whole: only the written range holds data, and the old content
 * (the stored block, or zeros for a hole) is merged in only if the block is read or flushed
 * before writes cover all of it, so blocks overwritten whole are never read.
 */
export interface CachedBlock {
  readonly ino: number
  readonly index: number
  buffer: Buffer
  partial: {start: number; end: number; readonly base: 'record' | 'zeros'} | undefined
  dirty: boolean
  dirtySinceMs: number
  /** Generation of the stored record this content is based on; undefined for a hole. */
  baseGeneration: number | undefined
  /** A flush or merge in progress: the buffer is in use, so writers wait for it. */
  busy: Promise<void> | undefined
}

/**
 * Block buffers in least-recently-used order, within a byte budget. Only clean, idle blocks are
 * evicted here; dirty ones leave by being flushed (the data path's backpressure). A caller holding
 * a block across an await must check `holds` afterwards: an evicted block's buffer is reused.
 */
export class BlockCache {
  private readonly blocks = new Map<string, CachedBlock>()
  private bytes = 0
  /** Bytes of blocks being read in: not cached yet, but held against the budget (reserve). */
  private loadingBytes = 0
  /** Spare buffers: at most an eighth of the cache's budget besides it (see BufferPool). */
  readonly buffers: BufferPool

  constructor(readonly capacityBytes: number) {
    this.buffers = new BufferPool(capacityBytes / 8)
  }

  get(ino: number, index: number): CachedBlock | undefined {
    return this.blocks.get(key(ino, index))
  }

  /** True while `block` is the cached block of its position. */
  holds(block: CachedBlock): boolean {
    return this.blocks.get(key(block.ino, block.index)) === block
  }

  /** Marks a block most recently used. */
  touch(block: CachedBlock): CachedBlock {
    const id = key(block.ino, block.index)
    this.blocks.delete(id)
    this.blocks.set(id, block)
    return block
  }

  insert(block: CachedBlock): CachedBlock {
    this.blocks.set(key(block.ino, block.index), block)
    this.bytes += block.buffer.length
    this.evictClean()
    return block
  }

  /** Drops a block whatever its state; its buffer is reused unless a flush still reads it. */
  evict(block: CachedBlock): void {
    if (!this.holds(block)) return
    this.blocks.delete(key(block.ino, block.index))
    this.bytes -= block.buffer.length
    if (!block.busy) this.buffers.give(block.buffer)
  }

  /** Room for a block about to be read in: clean blocks leave now, before its buffer is taken. */
  reserve(bytes: number): void {
    this.loadingBytes += bytes
    this.evictClean()
  }

  /** A reserved block's read is over (it is about to be inserted, or failed). */
  unreserve(bytes: number): void {
    this.loadingBytes -= bytes
  }

  /** Drops least recently used clean, idle blocks while the cache and the reads in flight are over budget. */
  evictClean(): void {
    for (const block of this.blocks.values()) {
      if (this.bytes + this.loadingBytes <= this.capacityBytes) return
      if (!block.dirty && !block.busy) this.evict(block)
    }
  }

  /** Once a block is no longer busy: its buffer goes back to the pool if it was evicted meanwhile. */
  released(block: CachedBlock): void {
    if (this.holds(block)) this.evictClean()
    else this.buffers.give(block.buffer)
  }

  /** Bytes over budget, not counting blocks being flushed (they will soon be clean). */
  excessBytes(): number {
    let busy = 0
    for (const block of this.blocks.values()) if (block.busy) busy += block.buffer.length
    return this.bytes - busy - this.capacityBytes
  }

  overBudget(): boolean {
    return this.bytes > this.capacityBytes
  }

  /** The cached blocks of one file. */
  of(ino: number): CachedBlock[] {
    return [...this.blocks.values()].filter((block) => block.ino === ino)
  }

  /** All cached blocks, least recently used first. */
  all(): IterableIterator<CachedBlock> {
    return this.blocks.values()
  }
}

/** Whether a write of [offset, offset + count) keeps a partial block's written range contiguous. */
export function extendsRange(range: {start: number; end: number}, offset: number, count: number): boolean {
  return range.start === range.end || (offset <= range.end && offset + count >= range.start)
}

/** Records that [offset, offset + count) of a partial block now holds data; a fully covered block is whole. */
export function noteWritten(block: CachedBlock, offset: number, count: number, blockSizeBytes: number): void {
  const range = block.partial
  if (!range) return
  if (range.start === range.end) {
    range.start = offset
    range.end = offset + count
  } else {
    range.start = Math.min(range.start, offset)
    range.end = Math.max(range.end, offset + count)
  }
  if (range.start === 0 && range.end === blockSizeBytes) block.partial = undefined
}

export function key(ino: number, index: number): string {
  return `${ino}:${index}`
}
