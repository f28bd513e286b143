import path from 'node:path'
import {codecFor, reconstructShards} from '../erasure/codec.js'
import {isShmrError, ShmrError, systemErrorCode} from '../errors.js'
import type {ShardName} from '../format/shardName.js'
import type {BlockRecord, ShardLocation} from '../meta/records.js'
import type {Drive, DriveStats} from '../pools/drive.js'
import {fanoutOf, shardPath} from '../format/fanout.js'
import {placeShards} from '../pools/placeShards.js'
import type {Pool, PoolSet} from '../pools/poolSet.js'
import {checksumsOf, type FileChecksums} from './checksum.js'
import type {ShardFault} from './shardFile.js'
import {assembleBlock} from './assembleBlock.js'
import {BufferPool} from './bufferPool.js'
import {describeTopology, shardCount, shardSizeBytes, type Topology} from './topology.js'
import {isAllZero} from './zeroBlock.js'
import {blocksAddon, type IoPriority} from '../native/blocksAddon.js'
import {CHUNK_BYTES} from '../format/constants.js'
import {groupBy} from '../groupBy.js'
import {SharedWork} from '../sharedWork.js'
import type {MountTraffic} from './mountTraffic.js'

/** Which block of which file: what a shard name carries besides the record. */
export interface BlockAddress {
  readonly fileId: number
  readonly blockIndex: number
}

export interface BadShard {
  readonly shardIndex: number
  readonly drive: number
  readonly fault: ShardFault
}

export interface BlockReadReport {
  /** Shards that were missing or damaged; the block was still read (from the others). */
  readonly badShards: readonly BadShard[]
  readonly reconstructed: boolean
}

/** A file the block store wrote, relative to its drive (for tombstones and cleanup). */
export interface StoredFile {
  readonly drive: number
  readonly path: string
}

/** The name of shard `shardIndex` of a block record. */
export function shardNameOf(address: BlockAddress, record: BlockRecord, shardIndex: number): ShardName {
  return {
    fileId: address.fileId, blockIndex: address.blockIndex, blockSizeBytes: record.blockSizeBytes,
    generation: record.generation, topology: record.topology, shardIndex,
    lengthBytes: record.lengthBytes, crc32c: record.shards[shardIndex]!.crc32c,
  }
}

/** Every file a block record points at, relative to its drive (no drive needs to be open: recovery lists them too). */
export function storedFilesOf(address: BlockAddress, record: BlockRecord): StoredFile[] {
  return record.shards.map((location, i) => ({drive: location.drive, path: shardPathOf(address, record, i)}))
}

/** Where shard `shardIndex` of a block record lives, relative to its drive. */
export function shardPathOf(address: BlockAddress, record: BlockRecord, shardIndex: number): string {
  return shardPath(shardNameOf(address, record, shardIndex), fanoutOf(record))
}

/** Told about the block store's I/O (the mount's metrics). */
export interface BlockIoObserver {
  shardRead(drive: Drive, bytes: number): void
  shardWritten(drive: Drive, bytes: number): void
  reconstructed(): void
}

/**
 * Drive space is re-read from statfs after this long; in between, files written are subtracted and
 * files deleted added back, in the drive's allocation units, and a placement that finds too little
 * room reads it again before it refuses (a figure 5 s old refused writes with 900 MiB free).
 */
const SPACE_REFRESH_MS = 5_000

/**
 * Spare shard buffers kept for reuse (parity and padded tails of blocks being encoded, parity of
 * degraded reads, every shard of a verify). Enough for a default shift's two blocks in flight
 * with 64 MiB 4+2 blocks (four 16 MiB parity shards); the mount holds them only after reading
 * around a bad shard.
 */
const SCRATCH_SPARE_BYTES = 64 * 1024 * 1024

/** Spare chunk buffers kept for small reads: a few reads' worth of a few chunks each. */
const CHUNK_SCRATCH_SPARE_BYTES = 1024 * 1024

/** What readRange did besides reading: the data shards whose rows it rebuilt from the others. */
export interface RangeRead {
  readonly rebuilt: readonly BadShard[]
}

/** Why a file cannot be read by the chunk: it has no chunk checksums (written before format 4). */
const NO_CHUNK_CHECKSUMS = 'no chunk checksums'

/** A CRC32C as the 4 little-endian bytes a chunk checksum is kept in. */
function crcBytes(crc: number): Buffer {
  const bytes = Buffer.alloc(4)
  bytes.writeUInt32LE(crc)
  return bytes
}

/** The chunk checksums of one of a record's files; undefined when it has none (written before format 4). */
function chunkSumsOf(record: BlockRecord, shardIndex: number): Uint8Array | undefined {
  const location = record.shards[shardIndex]!
  // One chunk long, a file's chunk checksum is its checksum: format 3 wrote those too.
  return location.chunkCrcs ?? (shardSizeBytes(record.topology, record.lengthBytes) <= CHUNK_BYTES ? crcBytes(location.crc32c) : undefined)
}

/**
 * The files that hold a block's bytes, in order, as readers outside the store may read them by the
 * chunk (the FUSE binding's own reads): file k holds the block's bytes [k × fileBytes, (k + 1) ×
 * fileBytes), zero-padded past its length. A mirror's first copy; an erasure block's data shards.
 */
export interface ReadableFiles {
  readonly fileBytes: number
  readonly files: ReadonlyArray<{readonly path: string; readonly drive: number; readonly chunkSums: Uint8Array}>
}

/**
 * A block's shards laid out for writing: views of its data where they can be, and `scratch`
 * buffers (the zero-padded tail, the parity) that writeBlock gives back to the store once the
 * shards are written.
 */
export interface BlockShards {
  readonly shards: readonly Uint8Array[]
  readonly scratch: readonly Buffer[]
}

/**
 * Writes and reads blocks as files on a pool's drives, in any topology. Knows nothing of the
 * metadata store: callers pass the block record in and commit the one it returns.
 */
export class BlockStore {
  private readonly space = new Map<number, {space: DriveStats; readAtMs: number}>()
  private readonly spaceReads = new SharedWork<number, DriveStats>()
  /** Reads in flight by block generation: the files of a generation being read are not deleted (see isReading). */
  private readonly reading = new Map<number, number>()
  private readonly scratch = new BufferPool(SCRATCH_SPARE_BYTES)
  /** Chunks read by readRange: their own pool, so that their sizes do not push the shards' spares out. */
  private readonly chunkScratch = new BufferPool(CHUNK_SCRATCH_SPARE_BYTES)

  /** Whose this store's jobs are: idle (a task's) in the view background() gives. */
  private readonly ioPriority: IoPriority = 'normal'
  private backgroundView: BlockStore | undefined
  /** The mount's traffic, which the background view's reads and writes give way to (see yieldTo). */
  private mountTraffic: MountTraffic | undefined

  constructor(readonly pools: PoolSet, private readonly observer?: BlockIoObserver) {}

  /**
   * This store for a task that moves data while the mount serves (shift, tier, rewrite, drain,
   * repair inside the server): the same store (its state is this one's), its file I/O and
   * checksums on the blocks addon's background lane (threads of their own at the idle I/O
   * priority and nice 10, native/blocks/coders.c), so that the mount's own reads and writes
   * never queue behind a task's.
   */
  background(): BlockStore {
    this.backgroundView ??= Object.create(this, {ioPriority: {value: 'idle' satisfies IoPriority}}) as BlockStore
    return this.backgroundView
  }

  /** From now on the background view waits before each block while `traffic` says the mount is busy (while a task watches it). */
  yieldTo(traffic: MountTraffic): void {
    this.mountTraffic = traffic
  }

  /** Has the mount's traffic looked at until the returned function is called: for a task's run. */
  watchMount(): () => void {
    return this.mountTraffic?.watch() ?? (() => {})
  }

  /** The background view's wait for a busy mount before a block; undefined (nothing to await) in the mount's own view. */
  private mountWait(): Promise<number> | undefined {
    return this.ioPriority === 'idle' ? this.mountTraffic?.giveWay() : undefined
  }

  /**
   * Stores `data` (the block's logical bytes) as a new generation on `pool`'s drives, every file
   * fsynced along with its directory, and returns the record to commit. An all-zero block is a
   * hole: nothing is written and undefined is returned. On failure nothing written stays behind.
   * With `sync: false` the files are only written: the caller must `makeDurable` them before it
   * commits the record (group commit: many blocks' fsyncs, then one transaction). `shards`, from
   * encodeShards, saves encoding here (shift encodes while another block is being written).
   */
  async writeBlock(pool: Pool, address: BlockAddress, blockSizeBytes: number, generation: number, data: Uint8Array,
    topology: Topology = pool.topology, options: {sync?: boolean; shards?: BlockShards} = {}): Promise<BlockRecord | undefined> {
    const sync = options.sync ?? true
    const waiting = this.mountWait()
    if (waiting) await waiting
    if (data.byteLength === 0 || isAllZero(data)) {
      if (options.shards) this.giveBack(options.shards)
      return undefined
    }
    const encoded = options.shards ?? await this.encodeShards(topology, data)
    const {shards} = encoded
    const shardBytes = shards[0]!.byteLength
    const driveIds = await this.place(pool, shards.length, shardBytes)
    // Copies of a mirror are one buffer: checksummed once.
    const checksums = new Map<Uint8Array, Promise<FileChecksums>>()
    for (const shard of shards) if (!checksums.has(shard)) checksums.set(shard, checksumsOf(shard, this.ioPriority))
    const sums = await Promise.all(shards.map((shard) => checksums.get(shard)!))
    const locations: ShardLocation[] = shards.map((_, i) => ({drive: driveIds[i]!, ...sums[i]!}))
    const record: BlockRecord = {generation, topology, blockSizeBytes, lengthBytes: data.byteLength, shards: locations, groupedFanout: true}
    const written: StoredFile[] = []
    try {
      await Promise.all(shards.map(async (shard, i) => {
        const file = this.storedFile(address, record, i)
        await this.driveOf(file.drive).writeNew(file.path, shard, sync, this.ioPriority)
        written.push(file)
      }))
    } catch (error) {
      // The scratch is not given back: a write that had not failed yet may still be reading it.
      await Promise.all(written.map((file) => this.driveOf(file.drive).removeFile(file.path).catch(() => undefined)))
      if (systemErrorCode(error) === 'ENOSPC') {
        throw new ShmrError('NO_SPACE', `pool ${pool.name} ran out of space writing block ${address.blockIndex} of file ${address.fileId}`, {cause: error})
      }
      throw error
    }
    this.giveBack(encoded)
    for (const id of driveIds) {
      this.charge(id, shardBytes)
      this.observer?.shardWritten(this.pools.drive(id)!, shardBytes)
    }
    return record
  }

  /**
   * Reads a block's logical bytes into out[0, lengthBytes). Erasure blocks read only their data
   * shards while those are intact (parity drives stay asleep) and reconstruct from parity when up
   * to `parity` shards are missing or fail their checksum. Throws CORRUPT when the block is lost.
   */
  async readBlock(address: BlockAddress, record: BlockRecord, out: Uint8Array): Promise<BlockReadReport> {
    return this.whileReading(record.generation, async () => {
      const result = await assembleBlock(record.topology, record.lengthBytes, (i, target) => this.readShard(address, record, i, target), out, reconstructShards, this.scratch)
      const badShards = result.badShards.map((bad) => ({...bad, drive: record.shards[bad.shardIndex]!.drive}))
      if (result.lost) throw this.lost(address, record, badShards)
      if (result.reconstructed) this.observer?.reconstructed()
      return {badShards, reconstructed: result.reconstructed}
    })
  }

  /**
   * Reads bytes [offset, offset + length) of a block (within its stored length) into `out` at
   * `outOffset`, reading and checking only the chunks of its files that they touch. An erasure
   * block's data shard that is missing or has a bad chunk there has those rows rebuilt from the
   * same rows of the other shards (the code works byte column by byte column). Returns undefined,
   * having read nothing usable, where the block must be read whole instead: its files have no
   * chunk checksums (written before format 4), or too few are intact (readBlock then reads around
   * what it can, and reports it).
   */
  async readRange(address: BlockAddress, record: BlockRecord, offset: number, length: number, out: Buffer, outOffset: number): Promise<RangeRead | undefined> {
    return this.whileReading(record.generation, async () => {
      const {topology} = record
      if (topology.kind !== 'erasure') {
        // A mirror's copies hold the same bytes: the first that reads right does.
        for (let copy = 0; copy < record.shards.length; copy++) {
          if (await this.readRows(address, record, copy, offset, offset + length, out, outOffset) === undefined) return {rebuilt: []}
        }
        return undefined
      }
      const shardBytes = shardSizeBytes(topology, record.lengthBytes)
      const end = offset + length
      const rebuilt: BadShard[] = []
      for (let i = Math.floor(offset / shardBytes); i * shardBytes < end; i++) {
        const from = Math.max(offset, i * shardBytes) - i * shardBytes
        const to = Math.min(end, (i + 1) * shardBytes) - i * shardBytes
        const at = outOffset + i * shardBytes + from - offset
        const fault = await this.readRows(address, record, i, from, to, out, at)
        if (fault === undefined) continue
        if (fault === NO_CHUNK_CHECKSUMS || !await this.rebuildRows(address, record, i, from, to, out, at)) return undefined
        rebuilt.push({shardIndex: i, drive: record.shards[i]!.drive, fault})
      }
      if (rebuilt.length > 0) this.observer?.reconstructed()
      return {rebuilt}
    })
  }

  /**
   * The files a block's bytes can be read from by the chunk, with no store in between (see
   * ReadableFiles); undefined where one is on an object store or an unavailable drive, or has no
   * chunk checksums.
   */
  readableFiles(address: BlockAddress, record: BlockRecord): ReadableFiles | undefined {
    const count = record.topology.kind === 'erasure' ? record.topology.data : 1
    const files: Array<{path: string; drive: number; chunkSums: Uint8Array}> = []
    for (let i = 0; i < count; i++) {
      const id = record.shards[i]!.drive
      const dir = this.pools.drive(id)?.dir
      const chunkSums = chunkSumsOf(record, i)
      if (dir === undefined || this.pools.unavailable.has(id) || !chunkSums) return undefined
      files.push({path: path.join(dir, shardPathOf(address, record, i)), drive: id, chunkSums})
    }
    return {fileBytes: shardSizeBytes(record.topology, record.lengthBytes), files}
  }

  /**
   * Reads [from, to) of one block or shard file by its chunks into `out` at `outOffset`: undefined
   * when it did, else why not.
   */
  private async readRows(address: BlockAddress, record: BlockRecord, shardIndex: number, from: number, to: number, out: Uint8Array, outOffset: number): Promise<ShardFault | typeof NO_CHUNK_CHECKSUMS | undefined> {
    const location = record.shards[shardIndex]!
    const drive = this.pools.drive(location.drive)
    const fileBytes = shardSizeBytes(record.topology, record.lengthBytes)
    const sums = chunkSumsOf(record, shardIndex)
    if (!sums) return NO_CHUNK_CHECKSUMS
    if (!drive || this.pools.unavailable.has(location.drive)) return 'drive unavailable'
    const first = Math.floor(from / CHUNK_BYTES)
    const start = first * CHUNK_BYTES
    const chunks = Math.ceil(to / CHUNK_BYTES) - first
    const buffer = this.chunkScratch.take(chunks * CHUNK_BYTES)
    try {
      const bytes = Math.min(chunks * CHUNK_BYTES, fileBytes - start)
      const file = shardPathOf(address, record, shardIndex)
      const fault = await drive.readChunks(file, buffer.subarray(0, bytes), start, fileBytes, sums.subarray(4 * first, 4 * (first + chunks)), CHUNK_BYTES, this.ioPriority)
      if (fault) return fault
      this.observer?.shardRead(drive, bytes)
      out.set(buffer.subarray(from - start, to - start), outOffset)
      return undefined
    } finally {
      this.chunkScratch.give(buffer)
    }
  }

  /** Rebuilds rows [from, to) of data shard `missing` from the same rows of the others, into `out`; false when too few are intact. */
  private async rebuildRows(address: BlockAddress, record: BlockRecord, missing: number, from: number, to: number, out: Buffer, outOffset: number): Promise<boolean> {
    const topology = record.topology as Extract<Topology, {kind: 'erasure'}>
    const rows = Array.from({length: record.shards.length}, () => this.chunkScratch.take(to - from))
    try {
      const faults = await Promise.all(rows.map((row, k) => (k === missing ? 'missing' : this.readRows(address, record, k, from, to, row, 0))))
      const present = faults.map((fault) => fault === undefined)
      if (present.filter(Boolean).length < topology.data) return false
      await reconstructShards(topology.data, topology.parity, rows, present, {dataOnly: true})
      out.set(rows[missing]!, outOffset)
      return true
    } finally {
      for (const row of rows) this.chunkScratch.give(row)
    }
  }

  /**
   * Runs a read of a generation's files, counted in flight from before its first await: the caller
   * looked the record up in this same step, so a tombstone of that generation cannot be collected
   * between the lookup and the read.
   */
  private async whileReading<T>(generation: number, read: () => Promise<T>): Promise<T> {
    this.reading.set(generation, (this.reading.get(generation) ?? 0) + 1)
    try {
      // Once counted as reading: the block's files stay while a task waits here.
      const waiting = this.mountWait()
      if (waiting) await waiting
      return await read()
    } finally {
      const left = this.reading.get(generation)! - 1
      if (left === 0) this.reading.delete(generation)
      else this.reading.set(generation, left)
    }
  }

  /** Whether a read of a block of this generation is in flight: its files must stay until it ends. */
  isReading(generation: number): boolean {
    return this.reading.has(generation)
  }

  /** A file of `driveId` was deleted: its bytes count as free again until the next statfs. */
  freed(driveId: number, allocatedBytes: number): void {
    const cached = this.space.get(driveId)
    if (cached) this.space.set(driveId, {...cached, space: {...cached.space, freeBytes: cached.space.freeBytes + allocatedBytes}})
  }

  /**
   * fsyncs the files of blocks written with `sync: false`, and each of their directories once:
   * after this, records pointing at them may commit.
   */
  async makeDurable(blocks: ReadonlyArray<{address: BlockAddress; record: BlockRecord}>): Promise<void> {
    const byDrive = groupBy(blocks.flatMap(({address, record}) => storedFilesOf(address, record)), (file) => file.drive)
    await Promise.all([...byDrive].map(([driveId, files]) => this.driveOf(driveId).makeDurable(files.map((file) => file.path), this.ioPriority)))
  }

  /** Reads and checks every shard of a block (for verify): the fault of each bad one. */
  async checkBlock(address: BlockAddress, record: BlockRecord): Promise<BadShard[]> {
    const shardBytes = shardSizeBytes(record.topology, record.lengthBytes)
    // Page-aligned, so a scrub of every shard goes past the page cache instead of through it.
    const buffers = record.shards.map(() => this.scratch.take(shardBytes))
    const faults = await this.whileReading(record.generation, () => Promise.all(buffers.map(async (buffer, i) => {
      const fault = await this.readShard(address, record, i, buffer)
      // Whole and right, but its chunks recorded otherwise: small reads of it would fail there.
      const chunkCrcs = record.shards[i]!.chunkCrcs
      if (!fault && chunkCrcs && Buffer.compare((await checksumsOf(buffer)).chunkCrcs!, chunkCrcs) !== 0) return 'chunk checksums wrong' as const
      return fault
    })))
    for (const buffer of buffers) this.scratch.give(buffer)
    return faults.flatMap((fault, i) => (fault ? [{shardIndex: i, drive: record.shards[i]!.drive, fault}] : []))
  }

  /**
   * Rewrites the shards `bad` of a block from the others (verify --repair): on the drive they
   * belong on, or, when that drive is unavailable, being drained or full, on another drive of the
   * pool that holds no other shard of the block. A damaged file is replaced atomically (temp file,
   * fsync, rename). Returns the record with the shards' new drives, to commit with compare-and-swap.
   */
  async repairShards(address: BlockAddress, record: BlockRecord, bad: readonly number[]): Promise<BlockRecord> {
    const bytes = blocksAddon().alignedBuffer(record.lengthBytes)
    await this.readBlock(address, record, bytes)
    const encoded = await this.encodeShards(record.topology, bytes)
    const {shards} = encoded
    const shardBytes = shards[0]!.byteLength
    const targets = await this.shardTargets(record, shardBytes)
    const locations = [...record.shards]
    for (const shardIndex of bad) {
      // Recorded afresh, chunk checksums included (they may be what was wrong).
      const sums = await checksumsOf(shards[shardIndex]!)
      if (sums.crc32c !== record.shards[shardIndex]!.crc32c) {
        throw new ShmrError('CORRUPT', `file ${address.fileId} block ${address.blockIndex}: rebuilt shard ${shardIndex} does not match its checksum`)
      }
      const drive = targets.keepOrMove(record.shards[shardIndex]!.drive)
      locations[shardIndex] = {drive, ...sums}
      await this.putShardFile(address, record, shardIndex, drive, shards[shardIndex]!)
    }
    this.giveBack(encoded)
    return {...record, shards: locations}
  }

  /**
   * Moves shards `which` of a block to other drives of its pool (`shmr drive drain`), each to a
   * drive that holds no other shard of the block and is not being drained: its file copied, or
   * rebuilt from the others where it cannot be read back intact, and written whole (temp file,
   * fsync, rename). Returns the record with the shards' new drives, to commit with
   * compare-and-swap; the old files are the caller's to tombstone.
   */
  async moveShards(address: BlockAddress, record: BlockRecord, which: readonly number[]): Promise<{record: BlockRecord; rebuilt: number}> {
    const shardBytes = shardSizeBytes(record.topology, record.lengthBytes)
    const buffers = which.map(() => this.scratch.take(shardBytes))
    try {
      const faults = await this.whileReading(record.generation, () => Promise.all(which.map((i, k) => this.readShard(address, record, i, buffers[k]!))))
      const rebuilt = faults.filter(Boolean).length
      if (rebuilt > 0) {
        const bytes = blocksAddon().alignedBuffer(record.lengthBytes)
        await this.readBlock(address, record, bytes)
        const encoded = await this.encodeShards(record.topology, bytes)
        which.forEach((i, k) => buffers[k]!.set(encoded.shards[i]!))
        this.giveBack(encoded)
        for (const [k, i] of which.entries()) {
          if ((await checksumsOf(buffers[k]!)).crc32c !== record.shards[i]!.crc32c) {
            throw new ShmrError('CORRUPT', `file ${address.fileId} block ${address.blockIndex}: rebuilt shard ${i} does not match its checksum`)
          }
        }
      }
      const targets = await this.shardTargets(record, shardBytes)
      const locations = [...record.shards]
      for (const [k, i] of which.entries()) {
        const drive = targets.elsewhere()
        locations[i] = {...record.shards[i]!, drive}
        await this.putShardFile(address, record, i, drive, buffers[k]!)
      }
      return {record: {...record, shards: locations}, rebuilt}
    } finally {
      for (const buffer of buffers) this.scratch.give(buffer)
    }
  }

  /**
   * Where shards of a block being repaired or moved go: `keepOrMove` keeps a shard's drive when it
   * may take it, `elsewhere` picks a drive of the pool holding none of the block's shards, by the
   * pool's placement policy. Each choice is counted against the drive's free space.
   */
  private async shardTargets(record: BlockRecord, shardBytes: number): Promise<{keepOrMove: (drive: number) => number; elsewhere: () => number}> {
    const pool = this.poolOf(record)
    const spaces = new Map((await this.spaceOf(pool)).map((space) => [space.id, space]))
    const holding = new Set(record.shards.map((shard) => shard.drive))
    const take = (drive: number): number => {
      const space = spaces.get(drive)
      if (space) spaces.set(drive, {...space, freeBytes: space.freeBytes - shardBytes})
      return drive
    }
    const elsewhere = (): number => {
      const others = [...spaces.values()].filter((space) => !holding.has(space.id))
      const drive = placeShards(pool.policy, pool.name, others, 1, shardBytes)[0]!
      holding.add(drive)
      return take(drive)
    }
    return {
      keepOrMove: (drive) => ((spaces.get(drive)?.freeBytes ?? 0) >= shardBytes ? take(drive) : elsewhere()),
      elsewhere,
    }
  }

  /** Writes one shard file of a block to `drive`, replacing any file of that name atomically. */
  private async putShardFile(address: BlockAddress, record: BlockRecord, shardIndex: number, drive: number, bytes: Uint8Array): Promise<void> {
    await this.driveOf(drive).replace(shardPathOf(address, record, shardIndex), bytes, this.ioPriority)
    this.charge(drive, bytes.byteLength)
    this.observer?.shardWritten(this.pools.drive(drive)!, bytes.byteLength)
  }

  private poolOf(record: BlockRecord): Pool {
    const drive = this.pools.drive(record.shards[0]!.drive)
    if (!drive) throw new ShmrError('DRIVE_MISSING', `drive id ${record.shards[0]!.drive} is not in the config`)
    return this.pools.pool(drive.poolName)
  }

  /** Every file a block record points at, relative to its drive. */
  filesOf(address: BlockAddress, record: BlockRecord): StoredFile[] {
    return storedFilesOf(address, record)
  }

  /** Shard `shardIndex` of a block: its drive, and its path there. */
  private storedFile(address: BlockAddress, record: BlockRecord, shardIndex: number): StoredFile {
    return {drive: record.shards[shardIndex]!.drive, path: shardPathOf(address, record, shardIndex)}
  }

  private driveOf(id: number): Drive {
    const drive = this.pools.drive(id)
    if (!drive) throw new ShmrError('DRIVE_MISSING', `drive id ${id} is not in the config`)
    return drive
  }

  /**
   * A block's shards with their parity computed: views of `data` where possible, the zero-padded
   * tail and the parity in the store's scratch buffers. Pass them to writeBlock as `shards`.
   */
  async encodeShards(topology: Topology, data: Uint8Array): Promise<BlockShards> {
    if (topology.kind !== 'erasure') return {shards: Array.from({length: shardCount(topology)}, () => data), scratch: []}
    const shardBytes = shardSizeBytes(topology, data.byteLength)
    const scratch: Buffer[] = []
    const shards = Array.from({length: topology.data + topology.parity}, (_, i) => {
      const start = i * shardBytes
      if (i < topology.data && start + shardBytes <= data.byteLength) return data.subarray(start, start + shardBytes)
      // Page-aligned like the data, so that every shard is written past the page cache.
      const own = this.scratch.take(shardBytes)
      scratch.push(own)
      if (i >= topology.data) return own
      own.fill(0)
      if (start < data.byteLength) own.set(data.subarray(start))
      return own
    })
    await codecFor(topology.data, topology.parity).encode(shards, this.ioPriority)
    return {shards, scratch}
  }

  private giveBack(shards: BlockShards): void {
    for (const buffer of shards.scratch) this.scratch.give(buffer)
  }

  private async readShard(address: BlockAddress, record: BlockRecord, shardIndex: number, target: Uint8Array): Promise<ShardFault | undefined> {
    const location = record.shards[shardIndex]!
    const drive = this.pools.drive(location.drive)
    if (!drive || this.pools.unavailable.has(location.drive)) return 'drive unavailable'
    const fault = await drive.readChecked(shardPathOf(address, record, shardIndex), target, location.crc32c, this.ioPriority)
    if (!fault) this.observer?.shardRead(drive, target.byteLength)
    return fault
  }

  private lost(address: BlockAddress, record: BlockRecord, badShards: readonly BadShard[]): ShmrError {
    const describe = (bad: BadShard): string => `shard ${bad.shardIndex} on ${this.pools.drive(bad.drive)?.name ?? `drive ${bad.drive}`}: ${bad.fault}`
    return new ShmrError('CORRUPT',
      `file ${address.fileId} block ${address.blockIndex} (${describeTopology(record.topology)}) cannot be read: ${badShards.map(describe).join('; ')}`)
  }

  /** Distinct drives of `pool` for a block's shards; with too little room by the figures kept, by fresh ones. */
  private async place(pool: Pool, count: number, shardBytes: number): Promise<number[]> {
    try {
      return placeShards(pool.policy, pool.name, await this.spaceOf(pool), count, shardBytes)
    } catch (error) {
      if (!isShmrError(error, 'NO_SPACE')) throw error
      return placeShards(pool.policy, pool.name, await this.spaceOf(pool, 0), count, shardBytes)
    }
  }

  /** The available drives' space, read again where the figure kept is older than `maxAgeMs`. */
  private async spaceOf(pool: Pool, maxAgeMs = SPACE_REFRESH_MS): Promise<DriveStats[]> {
    const now = Date.now()
    const available = this.pools.placeable(pool)
    return Promise.all(available.map(async (drive) => {
      const cached = this.space.get(drive.id)
      if (cached && now - cached.readAtMs < maxAgeMs) return cached.space
      return this.spaceReads.run(drive.id, async () => {
        const space = await drive.space()
        this.space.set(drive.id, {space, readAtMs: now})
        return space
      })
    }))
  }

  /** A shard of `bytes` was written to `driveId`: it takes whole allocation units. */
  private charge(driveId: number, bytes: number): void {
    const cached = this.space.get(driveId)
    if (!cached) return
    const unit = cached.space.unitBytes
    const taken = Math.ceil(bytes / unit) * unit
    this.space.set(driveId, {...cached, space: {...cached.space, freeBytes: cached.space.freeBytes - taken}})
  }
}
