import {BufferPool} from '../blocks/bufferPool.js'

/**
 * How long a reader's hold on the block it last read keeps that block from being evicted to make
 * room for another reader's load. A reader that pauses longer gives it up; one that goes on reading
 * renews it with every read.
 */
export const HOLD_MS = 1000

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
  /** Reads that wait for this block or are copying from it: it is never evicted meanwhile. */
  pins: number
  /** Open handles whose last read was in this block (see HOLD_MS). */
  holders: number
  /** When a read last used this block. */
  lastReadMs: number
  /** A block whose flush failed is not flushed again before this time (FlushTrouble's backoff; 0: it has not failed). */
  flushRetryAtMs: number
}

/** A new block's bookkeeping fields, for the data path's constructors. */
export function idleBlock(ino: number, index: number, buffer: Buffer, baseGeneration: number | undefined): CachedBlock {
  return {ino, index, buffer, partial: undefined, dirty: false, dirtySinceMs: 0, baseGeneration, busy: undefined, pins: 0, holders: 0, lastReadMs: 0, flushRetryAtMs: 0}
}

/**
 * Block buffers in least-recently-used order, within a byte budget. Only clean, idle, unpinned
 * blocks are evicted here; dirty ones leave by being flushed (the data path's backpressure).
 *
 * Loads are admitted: a block is read in only once the budget has room for it, made by evicting
 * blocks no reader needs now. A load that finds none waits, first come first served, until pinned
 * blocks are used, loads land, flushes end or a reader's hold lapses. Before, a loaded block could
 * be evicted by the next load before its reader used it, and be loaded again, forever: with more
 * readers than the cache holds blocks, the drives were read without end and nothing delivered.
 */
export class BlockCache {
  private readonly blocks = new Map<string, CachedBlock>()
  /**
   * The cached blocks of each file: `of(ino)` once scanned every block, and with thousands of
   * small files' blocks buffered (each its own block) the scans of each tick and flush grew with
   * the square of the files, and an untar of 20,000 files crawled.
   */
  private readonly byIno = new Map<number, Set<CachedBlock>>()
  /**
   * The clean, idle blocks, in the order they were last used or written out (oldest first): the
   * only ones eviction may take, so a block just written out goes after those read before. It
   * scanned every block before, and with thousands of small files' blocks written (dirty, then
   * flushed) each eviction walked past all the dirty ones: untarring 20,000 files, the serving
   * thread spent 1.2 s of 18 s looking for room (see fileData's relieve). A block being written
   * out joins once its flush is over, not when it starts: the flushes of thousands of small files
   * at once (`mount.flushAfter`) stood at the front of the set, and every write of the untar that
   * followed walked past them.
   */
  private readonly clean = new Set<CachedBlock>()
  private bytes = 0
  /**
   * Bytes of the cached blocks that are busy, kept as they become busy, grow, are released or
   * evicted; `busyCounted` has each one's bytes as counted. Summed over every block on each write
   * over budget before: 0.8 s of an untar's serving thread.
   */
  private busyBytes = 0
  private readonly busyCounted = new Map<CachedBlock, number>()
  /** Bytes of blocks being read in: not cached yet, but held against the budget (admit). */
  private loadingBytes = 0
  /** Loads waiting for room, in arrival order. */
  private readonly waiting: Array<{readonly bytes: number; readonly admitted: () => void}> = []
  private holdTimer: NodeJS.Timeout | undefined
  /** Spare buffers: at most an eighth of the cache's budget besides it (see BufferPool). */
  readonly buffers: BufferPool
  /**
   * Asked when waiting loads find the cache full of dirty blocks: starts their flushes and says
   * whether it did (a block whose flush just failed is not retried at once).
   */
  onPressure: () => boolean = () => false

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
    if (this.clean.delete(block)) this.clean.add(block)
    return block
  }

  /** A cached block now holds data not written out (`dirty` was set): it is not evicted until clean. */
  dirtied(block: CachedBlock): void {
    this.clean.delete(block)
  }

  /** A cached block's data is written out, or being written (`dirty` was cleared): it may be evicted once idle. */
  cleaned(block: CachedBlock): void {
    if (this.holds(block) && !block.busy) this.clean.add(block)
  }

  /** A cached block became busy (`busy` was set): it is not evicted until `released`. */
  busied(block: CachedBlock): void {
    this.clean.delete(block)
    if (!this.holds(block) || this.busyCounted.has(block)) return
    this.busyCounted.set(block, block.buffer.length)
    this.busyBytes += block.buffer.length
  }

  insert(block: CachedBlock): CachedBlock {
    const id = key(block.ino, block.index)
    const replaced = this.blocks.get(id)
    if (replaced && replaced !== block) {
      this.byIno.get(replaced.ino)?.delete(replaced)
      this.clean.delete(replaced)
    }
    this.blocks.set(id, block)
    if (!block.dirty && !block.busy) this.clean.add(block)
    let ofFile = this.byIno.get(block.ino)
    if (!ofFile) this.byIno.set(block.ino, (ofFile = new Set()))
    ofFile.add(block)
    this.bytes += block.buffer.length
    this.evictClean()
    return block
  }

  /** Drops a block whatever its state; its buffer is reused unless a flush still reads it. */
  evict(block: CachedBlock): void {
    if (!this.remove(block)) return
    this.admitWaiting()
  }

  /**
   * Room for a block about to be read in, waiting while the cache holds only blocks in use. Ends
   * with `unreserve` once the read is over (the block is inserted, or the read failed).
   */
  async admit(bytes: number): Promise<void> {
    if (this.waiting.length === 0 && this.makeRoom(bytes, false)) {
      this.admitted(bytes)
      return
    }
    await new Promise<void>((admitted) => {
      this.waiting.push({bytes, admitted})
      this.admitWaiting()
    })
  }

  /** Room for a block read ahead, if there is some now: read-ahead never waits or goes before a waiting load. */
  tryAdmit(bytes: number): boolean {
    if (this.waiting.length > 0 || !this.makeRoom(bytes, false)) return false
    this.admitted(bytes)
    return true
  }

  /**
   * An admitted block's read is done: it takes the room admitted for it in one step (had the room
   * been given back first, the next waiting load would have been admitted into it, and the insert
   * would then have evicted a block in use). Pinned before, so that it cannot evict itself.
   */
  land(block: CachedBlock, admittedBytes: number): CachedBlock {
    this.loadingBytes -= admittedBytes
    this.insert(block)
    this.admitWaiting()
    return block
  }

  /** An admitted load has taken its buffer (or one not from the pool): see `admitted`. */
  bufferTaken(admittedBytes: number): void {
    this.buffers.release(admittedBytes)
  }

  /** An admitted block's read is over without it landing (it failed, or the block was written meanwhile). */
  unreserve(bytes: number): void {
    this.loadingBytes -= bytes
    this.admitWaiting()
  }

  /** A read is done with a block it waited for or found. */
  unpin(block: CachedBlock): void {
    block.pins--
    if (block.pins === 0) this.admitWaiting()
  }

  /** A handle's reads are now in `block` (and no longer in `previous`). */
  hold(block: CachedBlock, previous: CachedBlock | undefined, nowMs: number): void {
    block.lastReadMs = nowMs
    if (block === previous) return
    block.holders++
    if (previous) this.unhold(previous)
  }

  /** A handle no longer reads in `block`: it closed, or waits for another block. */
  unhold(block: CachedBlock): void {
    block.holders--
    if (block.holders === 0) this.admitWaiting()
  }

  /** Drops least recently used clean, idle, unpinned blocks while the cache and the reads in flight are over budget. */
  evictClean(): void {
    this.makeRoom(0, true)
  }

  /**
   * Once a block is no longer busy (`busy` was cleared): a clean one may be evicted from now on,
   * and the buffer of one evicted meanwhile goes back to the pool.
   */
  released(block: CachedBlock): void {
    this.uncountBusy(block)
    if (this.holds(block)) {
      if (!block.dirty) this.clean.add(block)
      this.evictClean()
    } else {
      this.buffers.give(block.buffer)
    }
    this.admitWaiting()
  }

  /** A block's buffer was replaced by one of another size (it grew): the cache counts the new size. */
  resized(block: CachedBlock, oldBytes: number): void {
    this.bytes += block.buffer.length - oldBytes
    const busy = this.busyCounted.get(block)
    if (busy === undefined) return
    this.busyCounted.set(block, block.buffer.length)
    this.busyBytes += block.buffer.length - busy
  }

  /** Bytes over budget, not counting blocks being flushed (they will soon be clean). */
  excessBytes(): number {
    return this.bytes - this.busyBytes - this.capacityBytes
  }

  overBudget(): boolean {
    return this.bytes > this.capacityBytes
  }

  /** The cached blocks of one file. */
  of(ino: number): CachedBlock[] {
    const ofFile = this.byIno.get(ino)
    return ofFile ? [...ofFile] : []
  }

  /** All cached blocks, least recently used first. */
  all(): IterableIterator<CachedBlock> {
    return this.blocks.values()
  }

  /**
   * A load gets room: it holds it until it lands or is unreserved, and the pool keeps the spares
   * evicted for it until it takes its buffer (bufferTaken), so loads admitted together reuse the
   * buffers of the blocks evicted for them.
   */
  private admitted(bytes: number): void {
    this.loadingBytes += bytes
    this.buffers.reserve(bytes)
  }

  /**
   * Evicts clean, idle, unpinned blocks, least recently used first, until `extraBytes` more fit
   * the budget; blocks a reader holds go only when `evenHeld` (the write path's bound on memory).
   */
  private makeRoom(extraBytes: number, evenHeld: boolean): boolean {
    const nowMs = Date.now()
    for (const block of this.clean) {
      if (this.bytes + this.loadingBytes + extraBytes <= this.capacityBytes) return true
      // `dirty` is checked still: a block dirtied without telling the cache must never be dropped.
      if (block.dirty || block.busy || block.pins > 0) continue
      if (!evenHeld && isHeld(block, nowMs)) continue
      this.remove(block)
    }
    return this.bytes + this.loadingBytes + extraBytes <= this.capacityBytes
  }

  private remove(block: CachedBlock): boolean {
    if (!this.holds(block)) return false
    this.blocks.delete(key(block.ino, block.index))
    this.clean.delete(block)
    const ofFile = this.byIno.get(block.ino)
    ofFile?.delete(block)
    if (ofFile?.size === 0) this.byIno.delete(block.ino)
    this.bytes -= block.buffer.length
    this.uncountBusy(block)
    if (!block.busy) this.buffers.give(block.buffer)
    return true
  }

  private uncountBusy(block: CachedBlock): void {
    const busy = this.busyCounted.get(block)
    if (busy === undefined) return
    this.busyCounted.delete(block)
    this.busyBytes -= busy
  }

  /**
   * Admits waiting loads in order while there is room. When the oldest cannot be admitted and
   * nothing in the cache will change by itself (no loads, pins, flushes or live holds; no dirty
   * block that can be flushed), it is admitted over budget: waiting would be for ever.
   */
  private admitWaiting(): void {
    while (this.waiting.length > 0) {
      const next = this.waiting[0]!
      if (!this.makeRoom(next.bytes, false)) {
        const holdEndsMs = this.stuckUntil()
        if (holdEndsMs === undefined) return
        if (holdEndsMs > 0) return this.wakeAt(holdEndsMs)
        this.makeRoom(next.bytes, true)
      }
      this.waiting.shift()
      this.admitted(next.bytes)
      next.admitted()
    }
  }

  /**
   * Whether the cache will change by itself: undefined when it will (a load, pin or flush is
   * under way, or a flush was started now), the time the first live hold lapses when only holds
   * stand in the way, 0 when nothing will.
   */
  private stuckUntil(): number | undefined {
    if (this.loadingBytes > 0) return undefined
    const nowMs = Date.now()
    let firstLapseMs = 0
    for (const block of this.blocks.values()) {
      if (block.pins > 0 || block.busy) return undefined
      if (isHeld(block, nowMs)) firstLapseMs = Math.min(firstLapseMs || Infinity, block.lastReadMs + HOLD_MS)
    }
    if (this.onPressure()) return undefined
    return firstLapseMs
  }

  private wakeAt(ms: number): void {
    if (this.holdTimer) return
    this.holdTimer = setTimeout(() => {
      this.holdTimer = undefined
      this.admitWaiting()
    }, Math.max(1, ms - Date.now()))
  }
}

function isHeld(block: CachedBlock, nowMs: number): boolean {
  return block.holders > 0 && nowMs - block.lastReadMs < HOLD_MS
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
