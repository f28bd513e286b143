import type {Log} from '../log.js'
import type {BlockAddress, BlockStore} from '../blocks/blockStore.js'
import {allSettledInFlight} from '../allSettledInFlight.js'
import {ShmrError} from '../errors.js'
import {CHUNK_BYTES, MAX_FILE_SIZE_BYTES} from '../format/constants.js'
import type {MetaStore} from '../meta/metaStore.js'
import type {BlockRecord, ImageEntry, Inode} from '../meta/records.js'
import type {PoolSet} from '../pools/poolSet.js'
import {BlockCache, extendsRange, idleBlock, key, noteWritten, type CachedBlock} from './blockCache.js'
import {GenerationAllocator} from './generationAllocator.js'
import {GroupCommit} from './groupCommit.js'
import {openMode, type OpenMode} from './openFlags.js'
import {buryRecord, dropBlocks, reclaimInode, replaceBlock} from './blockMapEdits.js'
import {FlushTrouble} from './flushTrouble.js'
import {storedLayoutOf, type StoredLayout} from './storedLayout.js'
import type {TombstoneReclaimer} from '../gc/tombstoneReclaimer.js'

export interface FileDataOptions {
  /** Bytes of block buffers (clean and dirty) kept in memory; writers wait while it is full. */
  readonly cacheBytes: number
  /** Dirty blocks older than this are written out by `flushIdle` (a closed file's new ones sooner). */
  readonly flushAfterMs: number
  /** Block flushes in flight at once; more writers wait. */
  readonly maxFlushing: number
  /** Told whether each block a read needed was in the cache (metrics). */
  readonly onCacheLookup?: (hit: boolean) => void
  /** Told of an inode whose stored attributes changed by the data path's own doing (a block written out). */
  readonly onStoredChange?: (ino: number) => void
  /**
   * Told of an inode whose bytes or size are about to change (a write, fallocate, truncate), before
   * the change is made: a stored layout given out for it (storedLayout) is out of date from now on.
   */
  readonly onDataChange?: (ino: number) => void
}

/** An inode with open handles: its live size and times are authoritative until committed. */
interface LiveFile {
  readonly ino: number
  readonly blockSizeBytes: number
  sizeBytes: number
  mtimeMs: number
  ctimeMs: number
  atimeMs: number
  attrsDirty: boolean
  handles: number
  readonly dirty: Set<CachedBlock>
}

/**
 * How far past a sequential reader's front blocks are loaded, beyond the kernel's own window.
 * With 1 MiB blocks and the kernel asking 4 MiB ahead, 8 MiB more read 1 GiB cold 1.02-1.18x
 * as fast as none (the medians of five sets of 8 paired rounds); 16 MiB read slower than 4.
 */
const READ_AHEAD_BYTES = 8 * 1024 * 1024

/**
 * A read that lies in one cached block and is at least this long is answered with the block's
 * buffer, lent, for the binding to copy into the reply on another thread (see LentBytes); a shorter one is copied
 * here, which costs less than the loan's bookkeeping.
 */
const LEND_MIN_BYTES = 64 * 1024
/**
 * A read of at most this much (and of at most half its block), away from its reader's front, of a
 * block not cached reads only the chunks it touches (readSmall) instead of loading the block: 4 KiB
 * of a 1 MiB block cost a 1 MiB read and checksum. A read of most of a block loads and caches it.
 */
const SMALL_READ_MAX_BYTES = 128 * 1024

/**
 * A new block that a small write (under STREAMING_WRITE_BYTES) reaches only part way into gets a
 * buffer of about what it holds, in these steps, not a whole block: a 4 KiB file held 1 MiB of
 * the cache, a few hundred small files filled it, and their writers waited for flushes (4 KiB
 * creates took 1.5-2 ms). It grows as writes reach further, and past half a block becomes a
 * whole block's (pooled, aligned) buffer.
 */
const SMALL_BUFFER_STEP_BYTES = 4096
/** A write this long is a streaming writer's: its block gets a whole buffer at once, not grown step by step. */
const STREAMING_WRITE_BYTES = 64 * 1024

/**
 * A closed file's new blocks (none stored before) are due after this share of flushAfterMs (500
 * ms of the default 5 s): a file closed is mostly written for good, and what the mount still
 * holds when someone waits for it (a flush, fsync, unmount) is what they wait for. A new block is
 * written once however soon, so going early costs no extra write. A block over stored bytes waits
 * out flushAfterMs, as does an open file's: a file appended to bit by bit (`echo >> log` every
 * second) would otherwise have its last block merged and written again each time. Untarring
 * 25,000 files and then `shmr flush`, taking turns on a demo: 15.5-16.5 s against 16.4-19.0 s
 * with every block due after 5 s (five seconds of files were still in memory when tar ended),
 * with fewer page faults: buffers go back to the pool sooner. A share, not a fixed time, keeps a
 * long flushAfter meaning what it was set for: files kept in memory, not on the SSD, for a while.
 */
const NEW_CLOSED_FLUSH_SHARE = 0.1

/**
 * A read's bytes left in a cached block's buffer, for the binding to copy into the reply on a libuv
 * worker thread: that copy of 1 MiB per request was the serving thread's largest cost in a sequential
 * read (lent, 1 GiB read cold 1.18x as fast, the median of 8 paired rounds, 0.90-1.55). The buffer
 * is lent until `endLoan(buffer)`: its bytes stay as they are (a write or truncate gives the
 * block another buffer) and it is not reused for other data meanwhile.
 */
export interface LentBytes {
  readonly buffer: Buffer
  readonly offset: number
  readonly count: number
}

/** A flushed block waiting for its group commit. */
interface BlockCommit {
  readonly ino: number
  readonly index: number
  readonly baseGeneration: number | undefined
  readonly record: BlockRecord | undefined
  /** The file's stored size grows to at least this: the end of what the block holds. */
  readonly coveredBytes: number
  readonly mtimeMs: number
  readonly ctimeMs: number
}

export interface FileHandle {
  readonly id: number
  readonly file: LiveFile
  readonly mode: OpenMode
  /**
   * The furthest a sequential run of reads has reached, to spot sequential reading for read-ahead.
   * The kernel sends a window of read requests at once and they are served in any order, so a
   * read counts as sequential when it starts within a read-ahead window of it.
   */
  readFront: number
  /** Where the current sequential run began: read-ahead grows with the run (see read). */
  runStart: number
  /** The block this handle last read, held against eviction while the handle reads on (see HOLD_MS). */
  held: CachedBlock | undefined
}

/** A block being read in, and how many reads wait for it (each gets a pin on it). */
interface Load {
  readonly block: Promise<CachedBlock>
  readers: number
}

/**
 * The data path: open files, a bounded cache of block buffers, reads, buffered writes and their
 * flush to the write pool. Writes land in block buffers; a block is written out (as a new
 * generation of files, fsynced) when it fills, on flush/fsync/release, when idle too long, or
 * when the cache is full; then its record, the file's size and times commit in one transaction.
 */
export class FileData {
  private readonly cache: BlockCache
  private readonly loading = new Map<string, Load>()
  private readonly files = new Map<number, LiveFile>()
  private readonly handles = new Map<number, FileHandle>()
  private readonly flushing = new Set<Promise<void>>()
  private readonly generations: GenerationAllocator
  private readonly commits: GroupCommit<BlockCommit>
  private readonly trouble: FlushTrouble
  private nextHandle = 1
  private readonly image: ImageEntry | undefined
  /** How far ahead of a sequential reader the kernel requests by itself (its read-ahead window). */
  private kernelReadAheadBytes = 0

  constructor(private readonly store: MetaStore, private readonly blocks: BlockStore, private readonly pools: PoolSet,
    private readonly options: FileDataOptions, private readonly log: Log, private readonly reclaimer: TombstoneReclaimer) {
    this.cache = new BlockCache(options.cacheBytes)
    this.cache.onPressure = () => this.flushForRoom()
    this.trouble = new FlushTrouble(log)
    this.image = store.superblock.image
    this.generations = new GenerationAllocator(store)
    this.commits = new GroupCommit<BlockCommit>(
      (items) => this.blocks.makeDurable(items.flatMap(({ino, index, record}) => (record ? [{address: {fileId: ino, blockIndex: index}, record}] : []))),
      (item) => this.commitBlock(item))
  }

  /**
   * The kernel's read-ahead window, once the mount knows it. Blocks that fit in it are requested
   * by the kernel itself, several at once; the data path reads ahead only blocks larger than the
   * window. (A read never goes straight into the reader's buffer: when a request times out, the
   * binding hands that buffer back to libfuse while a read into it could still be running.)
   */
  kernelReadsAhead(bytes: number): void {
    this.kernelReadAheadBytes = bytes
  }

  /** Whether `ino` has open handles (a closed file whose blocks wait to be written does not count). */
  isOpen(ino: number): boolean {
    return (this.files.get(ino)?.handles ?? 0) > 0
  }

  /** A closed file was deleted: its blocks waiting to be written are dropped, not written. */
  deleted(ino: number): void {
    const file = this.files.get(ino)
    if (file && file.handles === 0) this.forget(file)
  }

  /** Live size and times of an open file, overriding the stored inode's. */
  liveAttributes(inode: Inode): Inode {
    const file = this.files.get(inode.ino)
    return file ? {...inode, sizeBytes: file.sizeBytes, mtimeMs: file.mtimeMs, ctimeMs: file.ctimeMs, atimeMs: file.atimeMs} : inode
  }

  async open(inode: Inode, flags: number): Promise<FileHandle> {
    if (inode.kind !== 'file') throw new ShmrError('IS_DIR', `inode ${inode.ino} is not a regular file`)
    let file = this.files.get(inode.ino)
    if (!file) {
      file = {
        ino: inode.ino, blockSizeBytes: inode.blockSizeBytes ?? this.pools.writePool.blockSizeBytes, sizeBytes: inode.sizeBytes,
        mtimeMs: inode.mtimeMs, ctimeMs: inode.ctimeMs, atimeMs: inode.atimeMs, attrsDirty: false, handles: 0, dirty: new Set(),
      }
      this.files.set(inode.ino, file)
    }
    file.handles++
    const handle: FileHandle = {id: this.nextHandle++, file, mode: openMode(flags), readFront: 0, runStart: 0, held: undefined}
    this.handles.set(handle.id, handle)
    try {
      if (handle.mode.truncate && handle.mode.write && file.sizeBytes > 0) await this.truncate(inode.ino, 0)
    } catch (error) {
      await this.release(handle.id)
      throw error
    }
    return handle
  }

  handle(id: number): FileHandle {
    const handle = this.handles.get(id)
    if (!handle) throw new ShmrError('BAD_ARGUMENT', `file handle ${id} is not open`)
    return handle
  }

  /** Reads into `target`, or answers with the bytes lent from a cached block (see LentBytes). */
  async read(handleId: number, target: Buffer, length: number, position: number): Promise<number | LentBytes> {
    const handle = this.handle(handleId)
    const {file} = handle
    const end = Math.min(position + length, file.sizeBytes)
    const windowBlocks = this.readAheadBlocks(file)
    // Near the front: the kernel's read-ahead requests arrive a little out of order, ahead of the
    // reader by up to its window, or shmr's. Not a block's length: with 64 MiB archive blocks
    // every random read within 64 MiB of the last counted as sequential and loaded the next block
    // whole (4 KiB random reads of an archived file ran at 840 IOPS, reading 64 MiB per 45 reads).
    const sequential = Math.abs(position - handle.readFront) <= Math.max(this.kernelReadAheadBytes, Math.min(READ_AHEAD_BYTES, windowBlocks * file.blockSizeBytes))
    let done = 0
    let lent: LentBytes | undefined
    while (position + done < end) {
      const at = position + done
      const index = Math.floor(at / file.blockSizeBytes)
      const offset = at - index * file.blockSizeBytes
      const count = Math.min(file.blockSizeBytes - offset, end - at)
      // Away from the front: a sequential reader's next read starts exactly there, however small.
      if (position !== handle.readFront && count <= Math.min(SMALL_READ_MAX_BYTES, file.blockSizeBytes / 2) && await this.readSmall(file, index, offset, count, target, done)) {
        done += count
        continue
      }
      const block = await this.blockForRead(handle, index)
      if (block && count === end - position && count >= LEND_MIN_BYTES && offset + count <= block.buffer.length) {
        this.cache.buffers.lend(block.buffer)
        lent = {buffer: block.buffer, offset, count}
      } else if (block) {
        // A small block's buffer ends where its writes did: the rest of the block is zeros.
        // (Buffer.copy throws for a start past the source's end, even copying nothing.)
        const copied = Math.max(0, Math.min(offset + count, block.buffer.length) - offset)
        if (copied > 0) block.buffer.copy(target, done, offset, offset + copied)
        target.fill(0, done + copied, done + count)
      } else {
        target.fill(0, done, done + count)
      }
      if (block) {
        this.cache.hold(block, handle.held, Date.now())
        handle.held = block
        this.cache.unpin(block)
      }
      done += count
    }
    if (done > 0) {
      if (sequential) {
        handle.readFront = Math.max(handle.readFront, position + done)
        // As many blocks ahead as the run has covered (half a block counting as one), up to the
        // window: a reader that looks at a file's first bytes (file(1), head, a thumbnailer) costs
        // the block it reads, not the window; for a 64 MiB archive block, not the next one too (128
        // MiB from the drives instead of 64). A sequential reader then waits once, at the end of its
        // first block: 512 MiB read from the archive 0.96x as fast (median of 8 paired rounds).
        const runBlocks = Math.floor((handle.readFront - handle.runStart + file.blockSizeBytes / 2) / file.blockSizeBytes)
        this.readAhead(file, Math.ceil(handle.readFront / file.blockSizeBytes), Math.min(windowBlocks, runBlocks))
      } else {
        handle.runStart = position
        handle.readFront = position + done
      }
    }
    return lent ?? done
  }

  /**
   * lseek(2)'s SEEK_DATA (`data`) and SEEK_HOLE: the first offset at or after `offset` in data
   * (a stored or buffered block) or in a hole (a block never written, or all zeros, and the end
   * of the file). Past the end: NO_DATA_PAST (ENXIO).
   */
  seekData(handleId: number, offset: number, data: boolean): number {
    const {file} = this.handle(handleId)
    if (offset >= file.sizeBytes) throw new ShmrError('NO_DATA_PAST', `offset ${offset} is past the end of the file`)
    const first = Math.floor(offset / file.blockSizeBytes)
    const holding = new Set(this.cache.of(file.ino).map((block) => block.index))
    for (const {index} of this.store.blockMaps.blocksOf(file.ino, first)) holding.add(index)
    const blocks = Math.ceil(file.sizeBytes / file.blockSizeBytes)
    for (let index = first; index < blocks; index++) {
      if (holding.has(index) === data) return Math.max(offset, index * file.blockSizeBytes)
    }
    if (data) throw new ShmrError('NO_DATA_PAST', `no data at or after offset ${offset}`)
    return file.sizeBytes
  }

  /** Ends the loan of a buffer a read answered with. */
  readonly endLoan = (buffer: Buffer): void => this.cache.buffers.endLoan(buffer)

  /**
   * Writes `length` bytes of `source` at `requestedPosition` (the end, for a file opened to
   * append). `accepted` is called once the write can no longer fail, just before the last of its
   * bytes are copied in, in the same turn: a caller may answer its writer then and let it send the
   * next write while the copy is made (the copy overlaps the writer's next request instead of
   * adding to each one's wait: a 128 MiB dd went from 758 to 784-816 MB/s). `source` must stay
   * unchanged until this returns.
   */
  async write(handleId: number, source: Buffer, length: number, requestedPosition: number, accepted?: () => void): Promise<number> {
    const handle = this.handle(handleId)
    const {file} = handle
    this.options.onDataChange?.(file.ino)
    if (this.trouble.waitingForRoom) throw new ShmrError('NO_SPACE', 'no room to write data out; writes resume once the blocks waiting for room are written')
    // Room first: while dirty blocks hold more than the cache's budget, a write waits before it is
    // accepted (so a writer answered early cannot run ahead of the flushes).
    await this.relieve()
    const position = handle.mode.append ? file.sizeBytes : requestedPosition
    if (file.ino === this.image?.ino && position + length > this.image.sizeBytes) {
      throw new ShmrError('NO_SPACE', 'write past the end of the disk image')
    }
    checkFileSize(position + length)
    let done = 0
    while (done < length) {
      const at = position + done
      const index = Math.floor(at / file.blockSizeBytes)
      const offset = at - index * file.blockSizeBytes
      const count = Math.min(file.blockSizeBytes - offset, length - done)
      const block = await this.blockForWrite(file, index, offset, count)
      if (done + count === length) accepted?.()
      source.copy(block.buffer, offset, done, done + count)
      noteWritten(block, offset, count, file.blockSizeBytes)
      done += count
      if (at + count > file.sizeBytes) file.sizeBytes = at + count
      if (offset + count === file.blockSizeBytes) this.startFlush(file, block)
    }
    if (length === 0) accepted?.()
    file.mtimeMs = file.ctimeMs = Date.now()
    file.attrsDirty = true
    return length
  }

  /**
   * fallocate(2) on an open file. `zero` (PUNCH_HOLE, ZERO_RANGE): the range reads as zeros from
   * now on; the blocks it covers whole become holes, their files freed (a filesystem in an image
   * discarding, fstrim), and the part of a block at either edge is written as zeros. Without
   * `keepSize` the file grows to the range's end (a hole: shmr reserves no space ahead, as a
   * block is written as a new file anyway). Neither zero nor growth: nothing to do.
   */
  async allocate(handleId: number, position: number, length: number, {zero, keepSize}: {zero: boolean; keepSize: boolean}): Promise<void> {
    const {file} = this.handle(handleId)
    this.options.onDataChange?.(file.ino)
    const end = position + length
    if (!keepSize && end > file.sizeBytes) {
      if (file.ino === this.image?.ino) throw new ShmrError('NO_SPACE', 'fallocate past the end of the disk image')
      checkFileSize(end)
    }
    if (zero) await this.zeroRange(file, position, Math.min(end, file.sizeBytes))
    if (!keepSize && end > file.sizeBytes) await this.truncate(file.ino, end)
  }

  /** Makes bytes [from, to) of `file` (within its size) read as zeros: whole blocks dropped, edges zeroed. */
  private async zeroRange(file: LiveFile, from: number, to: number): Promise<void> {
    if (to <= from) return
    const blockSizeBytes = file.blockSizeBytes
    const firstWhole = Math.ceil(from / blockSizeBytes)
    // The file's last block is whole when the range reaches the end of the file.
    const endWhole = to >= file.sizeBytes ? Math.ceil(to / blockSizeBytes) : Math.floor(to / blockSizeBytes)
    const edges: Array<[number, number]> = firstWhole > endWhole
      ? [[from, to]]
      : [[from, Math.min(to, firstWhole * blockSizeBytes)], [Math.max(from, endWhole * blockSizeBytes), to]]
    for (const [start, stop] of edges) {
      if (stop <= start) continue
      const index = Math.floor(start / blockSizeBytes)
      if (!this.cache.get(file.ino, index) && !this.store.blockMaps.findBlock(file.ino, index)) continue // a hole already
      const offset = start - index * blockSizeBytes
      const block = await this.blockForWrite(file, index, offset, stop - start)
      block.buffer.fill(0, offset, offset + stop - start)
      noteWritten(block, offset, stop - start, blockSizeBytes)
    }
    if (firstWhole < endWhole) {
      await this.settle(file.ino)
      for (const block of this.cache.of(file.ino)) {
        if (block.index >= firstWhole && block.index < endWhole) this.drop(block)
      }
      const nowMs = Date.now()
      await this.store.transaction(() => dropBlocks(this.store, this.blocks, file.ino, firstWhole, nowMs, endWhole))
    }
    file.mtimeMs = file.ctimeMs = Date.now()
    file.attrsDirty = true
  }

  /**
   * Sets a file's size. Shrinking drops the blocks past the end and rewrites the new last block
   * with its tail zeroed, all in one transaction; growing leaves a hole.
   */
  async truncate(ino: number, sizeBytes: number): Promise<void> {
    const inode = this.store.inodes.getInode(ino)
    if (inode.kind !== 'file') throw new ShmrError('IS_DIR', `inode ${ino} is not a regular file`)
    if (ino === this.image?.ino && sizeBytes !== this.image.sizeBytes) throw new ShmrError('NOT_PERMITTED', 'the disk image cannot be resized')
    checkFileSize(sizeBytes)
    this.options.onDataChange?.(ino)
    const file = this.files.get(ino)
    const blockSizeBytes = file?.blockSizeBytes ?? inode.blockSizeBytes ?? this.pools.writePool.blockSizeBytes
    const keepBlocks = Math.ceil(sizeBytes / blockSizeBytes)
    const tail = sizeBytes % blockSizeBytes
    await this.settle(ino)
    for (const block of this.cache.of(ino)) {
      if (block.index >= keepBlocks) this.drop(block)
    }
    // The new last block, cut short: its stored copy still holds bytes past the new end, which
    // must read as zeros if the file grows again.
    let rewritten: {index: number; record: BlockRecord | undefined; base: number | undefined; block?: CachedBlock} | undefined
    const lastIndex = keepBlocks - 1
    const lastRecord = tail > 0 ? this.store.blockMaps.findBlock(ino, lastIndex) : undefined
    const cachedLast = tail > 0 ? this.cache.get(ino, lastIndex) : undefined
    if (cachedLast) {
      await this.complete(cachedLast, blockSizeBytes)
      zeroFrom(this.ownBuffer(cachedLast).buffer, tail)
    }
    if (lastRecord && lastRecord.lengthBytes > tail) {
      const block = this.ownBuffer(await this.blockForTruncate(ino, lastIndex, blockSizeBytes))
      zeroFrom(block.buffer, tail)
      const record = await this.whileBusy(block, () => this.writeFiles(ino, lastIndex, blockSizeBytes, block.buffer.subarray(0, tail)))
      rewritten = {index: lastIndex, record, base: block.baseGeneration, block}
    }
    const nowMs = Date.now()
    await this.store.transaction(() => {
      if (rewritten) replaceBlock(this.store, this.blocks, ino, rewritten.index, rewritten.base, rewritten.record, nowMs)
      dropBlocks(this.store, this.blocks, ino, keepBlocks, nowMs)
      const current = this.store.inodes.getInode(ino)
      this.store.inodes.putInode({...current, sizeBytes, mtimeMs: nowMs, ctimeMs: nowMs})
    })
    if (rewritten?.block) {
      rewritten.block.baseGeneration = rewritten.record?.generation
      rewritten.block.dirty = false
      this.cache.cleaned(rewritten.block)
      file?.dirty.delete(rewritten.block)
    }
    if (file) {
      file.sizeBytes = sizeBytes
      file.mtimeMs = file.ctimeMs = nowMs
    }
  }

  private async blockForTruncate(ino: number, index: number, blockSizeBytes: number): Promise<CachedBlock> {
    for (;;) {
      const cached = this.cache.get(ino, index)
      if (cached?.partial) await this.complete(cached, blockSizeBytes)
      else if (cached && !cached.busy) return cached
      if (cached?.busy) await cached.busy.catch(() => {})
      else {
        const loaded = await this.load(ino, index, blockSizeBytes)
        this.cache.unpin(loaded)
        if (this.cache.get(ino, index) === loaded && !loaded.busy) return loaded
      }
    }
  }

  /** Runs `work` with the block marked busy: writers wait, and eviction keeps its buffer alive. */
  private async whileBusy<T>(block: CachedBlock, work: () => Promise<T>): Promise<T> {
    const running = work()
    block.busy = running.then(() => {}, () => {})
    this.cache.busied(block)
    try {
      return await running
    } finally {
      block.busy = undefined
      this.cache.released(block)
    }
  }

  /** Writes out every dirty block of a file and commits its size and times (visible, not yet durable). */
  async flushFile(ino: number): Promise<void> {
    const file = this.files.get(ino)
    if (!file) return
    await Promise.all([...file.dirty].map((block) => this.flushBlock(file, block)))
    await this.settle(ino)
    await this.commitAttributes(file)
  }

  /**
   * What fsync promises: the file's data and attributes written out and durable, with every
   * change committed before them. The block files this superseded are deleted before it returns
   * (unless a read still uses them): a writer that rewrites and fsyncs as it goes keeps the pool
   * at about its live data (see TombstoneReclaimer).
   */
  async syncFile(ino: number): Promise<void> {
    await this.flushFile(ino)
    await this.store.durable()
    await this.reclaimer.settled()
  }

  /** Commits an open file's live size and times, if they changed. */
  private async commitAttributes(file: LiveFile): Promise<void> {
    if (!file.attrsDirty) return
    file.attrsDirty = false
    await this.store.transaction(() => {
      const current = this.store.inodes.findInode(file.ino)
      if (current) this.store.inodes.putInode({...current, sizeBytes: file.sizeBytes, mtimeMs: file.mtimeMs, ctimeMs: file.ctimeMs, atimeMs: file.atimeMs})
    })
  }

  /**
   * The last close(2) of a handle. Nothing is written out or waited for, as on a local disk: a
   * closed file's dirty blocks are written with others' when idle (flushIdle) or when the cache
   * needs room, many small files' in one group commit. A create, write and close of a 4 KiB file
   * waited 4.2 ms for its fsyncs before; fsync is what waits.
   */
  async release(handleId: number): Promise<void> {
    const handle = this.handle(handleId)
    this.handles.delete(handleId)
    if (handle.held) this.cache.unhold(handle.held)
    const {file} = handle
    try {
      // The last handle commits the times it set, once nothing of the file waits to be written
      // (a flush commits them then).
      if (file.handles === 1 && file.dirty.size === 0) await this.commitAttributes(file)
    } finally {
      file.handles--
      if (file.handles === 0) {
        const inode = this.store.inodes.findInode(file.ino)
        if (inode && inode.nlink === 0) {
          this.forget(file)
          await this.store.transaction(() => reclaimInode(this.store, this.blocks, file.ino, Date.now()))
        } else if (file.dirty.size === 0 && !file.attrsDirty) {
          this.files.delete(file.ino)
        } else {
          // The file stays known, closed, until flushIdle has written it out.
          this.fitLastBlock(file)
        }
      }
    }
  }

  /**
   * A closed file's last block, holding at most half a block in a whole block's buffer, moves to a
   * small buffer of about its length, and the whole one goes back to the pool. A write of
   * STREAMING_WRITE_BYTES or more takes a whole buffer at once (blockForWrite), and `cp` writes
   * 128 KiB at a time: each file of 64-512 KiB held 1 MiB of the cache until written out, a few
   * hundred filled it, and every write waited for flushes (`cp -r` of 1,500 such files, 339 MB,
   * took 5.2-6.2 s against mergerfs' 1.3-1.6).
   */
  private fitLastBlock(file: LiveFile): void {
    const index = Math.floor(Math.max(0, file.sizeBytes - 1) / file.blockSizeBytes)
    const usedBytes = file.sizeBytes - index * file.blockSizeBytes
    const block = this.cache.get(file.ino, index)
    const {buffers} = this.cache
    if (!block || usedBytes > file.blockSizeBytes / 2 || block.busy || block.pins > 0 || buffers.isSmall(block.buffer) || buffers.isLent(block.buffer)) return
    // A partial block over stored bytes keeps its buffer: merging it (complete) reads the rest in.
    if (block.partial?.base === 'record') return
    const whole = block.buffer
    const fitted = this.bufferFor(usedBytes, file.blockSizeBytes)
    whole.copy(fitted, 0, 0, usedBytes)
    // Past the end of the file: zeros, which it reads should it grow (a block no longer partial
    // has nothing that says which of its bytes were written).
    fitted.fill(0, usedBytes)
    block.buffer = fitted
    this.cache.resized(block, whole.length)
    buffers.give(whole)
  }

  /**
   * Writes out blocks dirty for longer than flushAfterMs (a closed file's new ones sooner: see
   * NEW_CLOSED_FLUSH_SHARE), and retries those whose flush failed once their wait is over
   * (called on a timer). A closed file kept for its dirty blocks is let go once
   * they are written, or dropped with them once the file is deleted.
   */
  async flushIdle(): Promise<void> {
    const nowMs = Date.now()
    const cutoff = nowMs - this.options.flushAfterMs
    const newClosedCutoff = nowMs - this.options.flushAfterMs * NEW_CLOSED_FLUSH_SHARE
    const work: Promise<void>[] = []
    for (const file of this.files.values()) {
      const due = [...file.dirty].filter((block) => block.flushRetryAtMs <= nowMs
        && block.dirtySinceMs <= (file.handles === 0 && block.baseGeneration === undefined ? newClosedCutoff : cutoff))
      const commitsAttributes = due.length === 0 && file.attrsDirty && file.dirty.size === 0
      // A closed file deleted meanwhile is forgotten, its blocks unwritten (the namespace tells
      // of each it deletes, see `deleted`; this catches any other way). Asked only of a file
      // with something due: asking of every file waiting for its time read the store thousands
      // of times a tick while untarring (316 ms of the serving thread for 20,000 files).
      if (file.handles === 0 && (due.length > 0 || commitsAttributes) && !this.store.inodes.findInode(file.ino)) {
        this.forget(file)
        continue
      }
      if (due.length > 0) work.push(...due.map((block) => this.flushBlock(file, block)))
      else if (commitsAttributes) work.push(this.flushFile(file.ino))
      else if (file.handles === 0 && file.dirty.size === 0 && !this.busy(file)) this.files.delete(file.ino)
    }
    await Promise.allSettled(work)
  }

  /** Drops a file's cached blocks, written out or not, and the file with them: it is gone. */
  private forget(file: LiveFile): void {
    for (const block of this.cache.of(file.ino)) this.drop(block)
    this.files.delete(file.ino)
  }

  /** Writes out every file; one that fails does not keep the others from being written. */
  async flushAll(): Promise<void> {
    const results = await allSettledInFlight([...this.files.keys()], this.options.maxFlushing, (ino) => this.flushFile(ino))
    const failed = results.flatMap((result) => (result.status === 'rejected' ? [result.reason as Error] : []))
    if (failed.length > 0) throw new ShmrError('IO', `${failed.length} file(s) could not be written out: ${failed[0]!.message}`, {cause: failed[0]})
  }

  /** Waits for the block loads in flight (read-ahead goes on after the read that started it). */
  async settleLoads(): Promise<void> {
    await Promise.allSettled([...this.loading.values()].map((load) => load.block))
  }

  /** setattr set these times: an open file's live times take them (its next flush commits them). */
  applyTimes(ino: number, times: {atimeMs: number | undefined; mtimeMs: number | undefined; ctimeMs: number}): void {
    const file = this.files.get(ino)
    if (!file) return
    if (times.atimeMs !== undefined) file.atimeMs = times.atimeMs
    if (times.mtimeMs !== undefined) file.mtimeMs = times.mtimeMs
    file.ctimeMs = times.ctimeMs
  }

  /** Records a read access time for a file opened for reading (relatime: once a day, or after a change). */
  touchAccess(ino: number): void {
    const file = this.files.get(ino)
    if (!file) return
    const nowMs = Date.now()
    if (file.atimeMs <= file.mtimeMs || nowMs - file.atimeMs > 86_400_000) {
      file.atimeMs = nowMs
      file.attrsDirty = true
    }
  }

  /** Drops a block from the cache, dirty or not (its data is no longer wanted). */
  private drop(block: CachedBlock): void {
    this.cache.evict(block)
    this.files.get(block.ino)?.dirty.delete(block)
    this.trouble.dropped(block)
  }

  private markDirty(file: LiveFile, block: CachedBlock): CachedBlock {
    if (!block.dirty) {
      block.dirty = true
      block.dirtySinceMs = Date.now()
      this.cache.dirtied(block)
    }
    file.dirty.add(block)
    return block
  }

  /** Reads a stored block into `out`, logging what it had to read around or could not read at all. */
  private async readRecord(ino: number, index: number, record: BlockRecord, out: Buffer): Promise<void> {
    try {
      const report = await this.blocks.readBlock({fileId: ino, blockIndex: index}, record, out)
      if (report.badShards.length > 0) {
        this.log(`file ${ino} block ${index}: read around ${report.badShards.map((bad) => `shard ${bad.shardIndex} (${bad.fault})`).join(', ')}`, 'warning')
      }
    } catch (error) {
      if (error instanceof ShmrError && error.code === 'CORRUPT') this.log(error.message, 'error')
      throw error
    }
  }

  /**
   * A small read away from where its reader was reading (a database page, a seek) of a block not
   * in the cache: reads only the chunks it touches, straight into `target`, and caches nothing
   * (the kernel keeps the pages). False, having read nothing, where the block must be loaded
   * whole: cached or loading already, small enough to cache whole (one chunk), or not readable by
   * chunks (written before format 4, or too many shards bad there: the whole read reports them).
   */
  private async readSmall(file: LiveFile, index: number, offset: number, count: number, target: Buffer, targetOffset: number): Promise<boolean> {
    if (this.cache.get(file.ino, index) || this.loading.has(key(file.ino, index))) return false
    const record = this.store.blockMaps.findBlock(file.ino, index)
    if (!record || record.lengthBytes <= CHUNK_BYTES) return false
    const stored = Math.max(0, Math.min(offset + count, record.lengthBytes) - offset)
    if (stored > 0) {
      const read = await this.blocks.readRange({fileId: file.ino, blockIndex: index}, record, offset, stored, target, targetOffset)
      if (!read) return false
      if (read.rebuilt.length > 0) {
        this.log(`file ${file.ino} block ${index}: rebuilt the rows read of ${read.rebuilt.map((bad) => `shard ${bad.shardIndex} (${bad.fault})`).join(', ')} from the other shards`, 'warning')
      }
    }
    // A short last block reads as zeros past its stored bytes.
    target.fill(0, targetOffset + stored, targetOffset + count)
    this.options.onCacheLookup?.(false)
    return true
  }

  /**
   * The cached block for a read, loading it if needed, pinned for the caller (who unpins it once
   * done with it); undefined for a hole. A handle waiting for a block gives up its hold on the one
   * it read before, so that readers waiting for room never hold each other's blocks.
   */
  private async blockForRead(handle: FileHandle, index: number): Promise<CachedBlock | undefined> {
    const {file} = handle
    for (;;) {
      const cached = this.cache.get(file.ino, index)
      if (cached?.partial) {
        await this.complete(cached, file.blockSizeBytes)
        continue
      }
      if (cached) {
        this.options.onCacheLookup?.(true)
        cached.pins++
        return this.cache.touch(cached)
      }
      if (!this.store.blockMaps.findBlock(file.ino, index)) return undefined
      this.options.onCacheLookup?.(false)
      if (handle.held) {
        this.cache.unhold(handle.held)
        handle.held = undefined
      }
      const loaded = await this.load(file.ino, index, file.blockSizeBytes)
      if (this.cache.holds(loaded)) return loaded
      // Dropped meanwhile (truncated, or its file deleted): look again.
      this.cache.unpin(loaded)
    }
  }

  /**
   * The cached block for a write of [offset, offset + count), already marked dirty so that
   * eviction cannot take it. A new block starts partial: nothing of the old block is read yet.
   */
  private async blockForWrite(file: LiveFile, index: number, offset: number, count: number): Promise<CachedBlock> {
    for (;;) {
      const cached = this.cache.get(file.ino, index)
      if (cached?.busy) {
        await cached.busy.catch(() => {})
        continue
      }
      if (cached?.partial && !extendsRange(cached.partial, offset, count)) {
        await this.complete(cached, file.blockSizeBytes)
        continue
      }
      if (cached) return this.markDirty(file, this.reach(this.ownBuffer(this.cache.touch(cached)), offset + count, file.blockSizeBytes))
      const record = this.store.blockMaps.findBlock(file.ino, index)
      const block: CachedBlock = {
        ...idleBlock(file.ino, index, this.bufferFor(count >= STREAMING_WRITE_BYTES ? file.blockSizeBytes : offset + count, file.blockSizeBytes), record?.generation),
        partial: {start: offset, end: offset, base: record ? 'record' : 'zeros'},
      }
      return this.cache.insert(this.markDirty(file, block))
    }
  }

  /** A buffer for a new block that writes reach `end` bytes into (see SMALL_BUFFER_STEP_BYTES). */
  private bufferFor(end: number, blockSizeBytes: number): Buffer {
    if (end > blockSizeBytes / 2) return this.cache.buffers.take(blockSizeBytes)
    return this.cache.buffers.takeSmall(Math.max(SMALL_BUFFER_STEP_BYTES, Math.ceil(end / SMALL_BUFFER_STEP_BYTES) * SMALL_BUFFER_STEP_BYTES))
  }

  /** Makes a block's buffer reach `end` bytes at least, keeping its bytes; what it gains is zeros. */
  private reach(block: CachedBlock, end: number, blockSizeBytes: number): CachedBlock {
    const old = block.buffer
    if (old.length >= end) return block
    const grown = this.bufferFor(Math.min(blockSizeBytes, Math.max(end, 2 * old.length)), blockSizeBytes)
    old.copy(grown)
    grown.fill(0, old.length)
    block.buffer = grown
    this.cache.resized(block, old.length)
    this.cache.buffers.give(old)
    return block
  }

  /** A block about to change in place, given a buffer of its own if its buffer is lent to a read. */
  private ownBuffer(block: CachedBlock): CachedBlock {
    const {buffers} = this.cache
    if (!buffers.isLent(block.buffer)) return block
    const own = buffers.takeLike(block.buffer)
    block.buffer.copy(own)
    buffers.give(block.buffer)
    block.buffer = own
    return block
  }

  /** Makes a partial block whole: merges the written range over its old content. */
  private async complete(block: CachedBlock, blockSizeBytes: number): Promise<void> {
    while (block.busy) await block.busy.catch(() => {})
    const partial = block.partial
    if (!partial) return
    if (partial.base === 'zeros') {
      block.buffer.fill(0, 0, partial.start)
      block.buffer.fill(0, partial.end)
      block.partial = undefined
      return
    }
    await this.whileBusy(block, async () => {
      const record = this.store.blockMaps.findBlock(block.ino, block.index)
      const old = this.bufferFor(Math.max(record?.lengthBytes ?? 0, partial.end), blockSizeBytes)
      if (record) await this.blocks.readBlock({fileId: block.ino, blockIndex: block.index}, record, old)
      zeroFrom(old, record?.lengthBytes ?? 0)
      block.buffer.copy(old, partial.start, partial.start, partial.end)
      const written = block.buffer
      block.buffer = old
      block.partial = undefined
      this.cache.resized(block, written.length)
      this.cache.buffers.give(written)
    })
  }

  /**
   * Whether nothing of `ino` is in use: not open, no block waiting to be written or committed,
   * none being read in or read from. Only then may a move inside the server swap the file's block
   * map (see dropCached): blocks cached at the old block size would be read or written out at
   * the wrong place after it.
   */
  isQuiet(ino: number): boolean {
    if (this.files.has(ino)) return false
    for (const id of this.loading.keys()) if (id.startsWith(`${ino}:`)) return false
    return this.cache.of(ino).every((block) => !block.dirty && !block.busy && block.pins === 0 && block.holders === 0)
  }

  /**
   * An open file's bytes as stored, for reading them without the cache; undefined while any of its
   * blocks is written and not yet stored (dirty, or being written out), or when it is too large to
   * describe. Good until onDataChange tells of the file.
   */
  storedLayout(ino: number): StoredLayout | undefined {
    const file = this.files.get(ino)
    if (!file || file.dirty.size > 0 || this.cache.of(ino).some((block) => block.dirty || block.partial || block.busy)) return undefined
    return storedLayoutOf(this.store, this.blocks, ino, file.sizeBytes, file.blockSizeBytes)
  }

  /** Forgets a quiet file's cached blocks (their content is stored): its block map changes under them. */
  dropCached(ino: number): void {
    if (!this.isQuiet(ino)) throw new ShmrError('BUSY', `file ${ino} is in use: its cached blocks cannot be dropped`)
    for (const block of this.cache.of(ino)) this.drop(block)
  }

  /** Blocks of every file written and not yet stored (`shmr status`). */
  pendingBlocks(): number {
    let pending = 0
    for (const block of this.cache.all()) if (block.dirty) pending++
    return pending
  }

  /** Blocks of a file written and not yet stored (see FileLocation.pendingBlocks). */
  dirtyBlocks(ino: number): number {
    return this.cache.of(ino).filter((block) => block.dirty).length
  }

  /**
   * Reads a block into the cache once room is admitted for it (see BlockCache.admit), or joins the
   * read already under way; the block comes pinned for the caller.
   */
  private load(ino: number, index: number, blockSizeBytes: number): Promise<CachedBlock> {
    const id = key(ino, index)
    let load = this.loading.get(id)
    if (!load) {
      load = {block: this.cache.admit(blockSizeBytes).then(() => this.readIn(id, ino, index, blockSizeBytes)), readers: 0}
      this.loading.set(id, load)
    }
    load.readers++
    return load.block
  }

  /** Reads a block ahead of a sequential reader, if the cache has room for it now. */
  private loadAhead(ino: number, index: number, blockSizeBytes: number): void {
    const id = key(ino, index)
    if (this.loading.has(id) || !this.cache.tryAdmit(blockSizeBytes)) return
    const load: Load = {block: this.readIn(id, ino, index, blockSizeBytes), readers: 0}
    this.loading.set(id, load)
    load.block.catch(() => {
      // The read that needs this block reports the error.
    })
  }

  /**
   * Reads an admitted block and inserts it, pinned once for every read that waits for it. Its
   * load is forgotten in the same step as it lands, so a read that comes later finds the block
   * cached instead of joining a load whose pins are already counted.
   */
  private async readIn(id: string, ino: number, index: number, blockSizeBytes: number): Promise<CachedBlock> {
    let record: BlockRecord | undefined
    let buffer: Buffer | undefined
    try {
      record = this.store.blockMaps.findBlock(ino, index)
      // A short block (a small file's) gets a buffer of about its length, as a small write's does
      // (bufferFor): a whole block's, zeroed past the bytes read, cost a 1 MiB memset per small
      // file read (a fifth of the server's time reading a tree of 20,000 small files), and each
      // such block held a megabyte of the cache.
      buffer = this.bufferFor(record?.lengthBytes ?? 0, blockSizeBytes)
      this.cache.bufferTaken(blockSizeBytes)
      if (record) await this.readRecord(ino, index, record, buffer)
      zeroFrom(buffer, record?.lengthBytes ?? 0)
    } catch (error) {
      this.loading.delete(id)
      if (buffer) this.cache.buffers.give(buffer)
      else this.cache.bufferTaken(blockSizeBytes)
      this.cache.unreserve(blockSizeBytes)
      throw error
    }
    const readers = this.loading.get(id)?.readers ?? 0
    this.loading.delete(id)
    const cached = this.cache.get(ino, index)
    if (cached) {
      // Written meanwhile: that block is newer than what was read.
      this.cache.buffers.give(buffer)
      cached.pins += readers
      this.cache.unreserve(blockSizeBytes)
      return cached
    }
    return this.cache.land({...idleBlock(ino, index, buffer, record?.generation), pins: readers}, blockSizeBytes)
  }

  /**
   * The most blocks loaded ahead of a sequential reader's front (which the kernel's own
   * read-ahead has already pushed ahead of the reader): READ_AHEAD_BYTES, at least one block, at
   * most an eighth of the cache.
   */
  private readAheadBlocks(file: LiveFile): number {
    return Math.max(1, Math.min(Math.floor(READ_AHEAD_BYTES / file.blockSizeBytes), Math.floor(this.options.cacheBytes / 8 / file.blockSizeBytes)))
  }

  /** For a sequential reader: loads `window` blocks from `index` on, so the reader rarely waits on a block boundary. */
  private readAhead(file: LiveFile, index: number, window: number): void {
    for (let next = index; next < index + window; next++) {
      if (next * file.blockSizeBytes >= file.sizeBytes) return
      if (this.cache.get(file.ino, next) || !this.store.blockMaps.findBlock(file.ino, next)) continue
      this.loadAhead(file.ino, next, file.blockSizeBytes)
    }
  }

  /** Backpressure: when dirty data fills the cache or too many flushes run, wait for some to finish. */
  private async relieve(): Promise<void> {
    while (this.flushing.size >= this.options.maxFlushing) await Promise.race(this.flushing)
    // Clean blocks make room first: startFlushes would walk past each of them to find dirty ones.
    this.cache.evictClean()
    if (!this.cache.overBudget()) return
    this.startFlushes(this.cache.excessBytes())
    while (this.flushing.size > 0 && this.cache.overBudget()) {
      await Promise.race(this.flushing)
      this.cache.evictClean()
    }
  }

  /** Loads wait for room while dirty blocks fill the cache: starts their flushes, and says whether it did. */
  private flushForRoom(): boolean {
    return this.startFlushes(Infinity)
  }

  /**
   * Starts the flushes of dirty blocks that may be flushed now (not being flushed, not waiting
   * for a retry), least recently used first, until their buffers make `bytesWanted`; says whether
   * it started any. (Asking the cache for its excess after each one scanned every block each
   * time: with thousands of small files' blocks cached, each write over budget took that squared.)
   */
  private startFlushes(bytesWanted: number): boolean {
    let startedBytes = 0
    const nowMs = Date.now()
    for (const block of this.cache.all()) {
      if (startedBytes >= bytesWanted) break
      const file = this.files.get(block.ino)
      if (!block.dirty || block.busy || !file || block.flushRetryAtMs > nowMs) continue
      startedBytes += block.buffer.length
      this.startFlush(file, block)
    }
    // Every buffer has bytes (a small one at least SMALL_BUFFER_STEP_BYTES).
    return startedBytes > 0
  }

  private startFlush(file: LiveFile, block: CachedBlock): void {
    const flush = this.flushBlock(file, block).catch(() => {
      // FlushTrouble logs it, and flushIdle retries the block.
    })
    this.flushing.add(flush)
    void flush.finally(() => this.flushing.delete(flush))
  }

  /** Whether a flush of one of the file's blocks is under way. */
  private busy(file: LiveFile): boolean {
    return this.cache.of(file.ino).some((block) => block.busy)
  }

  /** Waits for every flush of `ino` in progress. */
  private async settle(ino: number): Promise<void> {
    await Promise.all(this.cache.of(ino).filter((block) => block.busy).map((block) => block.busy!.catch(() => {})))
  }

  private async flushBlock(file: LiveFile, block: CachedBlock): Promise<void> {
    for (;;) {
      while (block.busy) await block.busy
      if (!block.dirty) return
      if (!block.partial) break
      await this.complete(block, file.blockSizeBytes)
    }
    block.dirty = false
    this.cache.cleaned(block)
    file.dirty.delete(block)
    const start = block.index * file.blockSizeBytes
    const lengthBytes = Math.max(0, Math.min(file.blockSizeBytes, file.sizeBytes - start))
    await this.whileBusy(block, async () => {
      try {
        const record = await this.writeFiles(file.ino, block.index, file.blockSizeBytes, block.buffer.subarray(0, lengthBytes), false)
        await this.commits.submit({
          ino: file.ino, index: block.index, baseGeneration: block.baseGeneration, record,
          coveredBytes: start + lengthBytes, mtimeMs: file.mtimeMs, ctimeMs: file.ctimeMs,
        })
        block.baseGeneration = record?.generation
        this.trouble.succeeded(block)
      } catch (error) {
        // Unless it was dropped (truncated away, or its file deleted) while its flush ran.
        if (this.cache.holds(block)) {
          block.dirty = true
          this.cache.dirtied(block)
          file.dirty.add(block)
          this.trouble.failed(block, error, Date.now())
        }
        throw error
      }
    })
  }

  /**
   * One flushed block's transaction: its record swaps in, and the stored size grows to cover it.
   * A file deleted while its block was being written takes the block's files with it.
   */
  private async commitBlock(item: BlockCommit): Promise<void> {
    await this.store.transaction(() => {
      const nowMs = Date.now()
      if (!this.store.inodes.findInode(item.ino)) {
        if (item.record) buryRecord(this.store, this.blocks, item.ino, item.index, item.record, nowMs)
        return
      }
      replaceBlock(this.store, this.blocks, item.ino, item.index, item.baseGeneration, item.record, nowMs)
      const current = this.store.inodes.findInode(item.ino)
      // The exact live size commits on flushFile; until then the stored size covers what is stored.
      if (current && item.coveredBytes > current.sizeBytes) {
        this.store.inodes.putInode({...current, sizeBytes: item.coveredBytes, mtimeMs: item.mtimeMs, ctimeMs: item.ctimeMs})
      }
    })
    this.noteChanged(item.ino)
  }

  /** Tells the mount that an inode's stored attributes changed without a request asking (see FileDataOptions). */
  noteChanged(ino: number): void {
    this.options.onStoredChange?.(ino)
  }

  /**
   * Stores a block's bytes as a new generation on the write pool (undefined: an all-zero hole);
   * durable at once unless `sync` is false (then the group commit makes it durable).
   */
  private async writeFiles(ino: number, index: number, blockSizeBytes: number, bytes: Buffer, sync = true): Promise<BlockRecord | undefined> {
    const address: BlockAddress = {fileId: ino, blockIndex: index}
    const pool = this.pools.writePool
    return this.blocks.writeBlock(pool, address, blockSizeBytes, await this.generations.take(), bytes, pool.topology, {sync})
  }
}

/** Zeros a buffer from `at` on (a small block's buffer may end before `at`). */
function zeroFrom(buffer: Buffer, at: number): void {
  if (at < buffer.length) buffer.fill(0, at)
}

function checkFileSize(sizeBytes: number): void {
  if (sizeBytes > MAX_FILE_SIZE_BYTES) throw new ShmrError('FILE_TOO_LARGE', `a file may be at most ${MAX_FILE_SIZE_BYTES} bytes`)
}
