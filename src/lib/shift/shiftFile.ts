import type {BlockStore} from '../blocks/blockStore.js'
import {describeTopology, shardSizeBytes, type Topology} from '../blocks/topology.js'
import {isAllZero} from '../blocks/zeroBlock.js'
import {ShmrError} from '../errors.js'
import {buryRecord, dropBlocks, dropStaged} from '../fs/blockMapEdits.js'
import type {GenerationAllocator} from '../fs/generationAllocator.js'
import type {MetaStore} from '../meta/metaStore.js'
import type {BlockRecord, Inode} from '../meta/records.js'
import type {StagedBlock} from '../meta/staged.js'
import type {Pool, PoolSet} from '../pools/poolSet.js'
import type {RateLimiter} from '../pools/rateLimiter.js'
import {SourceReader} from './sourceReader.js'
import {removeStrayShards} from './strayShards.js'
import {blocksAddon} from '../native/blocksAddon.js'

/** Where and how a file's blocks should end up. */
export interface Destination {
  readonly pool: Pool
  readonly topology: Topology
  readonly blockSizeBytes: number
  /** The first `blocks` blocks go here instead (a tier rule's head: playable while the archive spins up). */
  readonly head?: {readonly blocks: number; readonly pool: Pool; readonly topology: Topology}
  /** The tier rule that chose this destination, recorded on the inode. */
  readonly rule?: string
}

/** The pool and scheme block `index` belongs on. */
export function placementOf(destination: Destination, index: number): {pool: Pool; topology: Topology} {
  return destination.head && index < destination.head.blocks ? destination.head : destination
}

/** True when a stored block already has the placement block `index` should have. */
function isPlacedAt(record: BlockRecord, destination: Destination, index: number): boolean {
  const {pool, topology} = placementOf(destination, index)
  const drives = new Set(pool.drives.map((drive) => drive.id))
  return describeTopology(record.topology) === describeTopology(topology) && record.shards.every((shard) => drives.has(shard.drive))
}

export interface ShiftContext {
  readonly store: MetaStore
  readonly blocks: BlockStore
  readonly pools: PoolSet
  readonly generations: GenerationAllocator
  /** Blocks encoded and read at once; writes still go one block at a time. */
  readonly jobs: number
  readonly rate?: RateLimiter
  /** Serialises block writes: each drive gets one sequential writer at a time. */
  readonly writeSlot: <T>(work: () => Promise<T>) => Promise<T>
  /** Bytes of the file done: each block's once it is written or found staged already. */
  readonly onBytes: (bytes: number) => void
  /**
   * Inside a running server: runs the swap (synchronously, as it is called) once the mount holds
   * nothing of the file, waiting for that. Offline, nothing else uses the file: the swap runs at once.
   */
  readonly whenQuiet?: (ino: number, swap: () => Promise<void>) => Promise<void>
  /** Stops the run between blocks (a client gone, an unmount): what is staged stays for a rerun. */
  readonly signal?: AbortSignal
  /**
   * Inside a running server, shard files of the file that nothing references are not deleted: the
   * mount may have just written them, its commit still to come. `gc` takes real strays later.
   */
  readonly keepStrays?: boolean
}

export interface FileShiftReport {
  readonly ino: number
  readonly status: 'shifted' | 'skipped'
  readonly blocksWritten: number
  readonly blocksReused: number
  readonly bytesRead: number
  readonly bytesWrittenByDrive: ReadonlyMap<number, number>
  readonly strayShardsRemoved: number
}

/** A file written to while it moved (through a mount): nothing swapped; a rerun redoes what changed. */
export class ChangedWhileShifted extends ShmrError {
  constructor(ino: number) {
    super('IO', `file ${ino} changed while it was being shifted`, {hint: 'run shmr shift again'})
  }
}

/** A file whose blocks all already have the destination's size, topology and pool is left alone. */
export function isAlreadyThere(store: MetaStore, inode: Inode, fileBlockSizeBytes: number, destination: Destination): boolean {
  if (fileBlockSizeBytes !== destination.blockSizeBytes) return false
  return store.blockMaps.blocksOf(inode.ino).every(({index, record}) => isPlacedAt(record, destination, index))
}

/**
 * New blocks made durable and staged together. Each block's shard files are fsynced one by one
 * either way; a batch shares the directory fsyncs (consecutive blocks share fan-out directories)
 * and the metadata commit, which per block cost more than the data.
 */
const STAGE_BATCH_BLOCKS = 16

/** A block written (not yet durable) and waiting for its batch to be made durable and staged. */
interface WrittenBlock {
  readonly index: number
  readonly record: BlockRecord | undefined
  readonly previous: StagedBlock | undefined
  readonly staged: StagedBlock
}

/**
 * Moves one file's blocks to `destination`, re-blocking to its block size. New blocks are written,
 * fsynced a batch at a time, then staged in the metadata (so a rerun after a crash reuses them;
 * files a crash left written but unstaged are strays the rerun deletes); when all are staged, one
 * transaction swaps the whole block map, compare-and-swap on every old block's generation, and the
 * old files become tombstones. Until that commit the file reads as before.
 */
export async function shiftFile(context: ShiftContext, ino: number, destination: Destination): Promise<FileShiftReport> {
  const {store} = context
  const inode = store.inodes.getInode(ino)
  const sourceBlockSizeBytes = inode.blockSizeBytes ?? context.pools.writePool.blockSizeBytes
  if (isAlreadyThere(store, inode, sourceBlockSizeBytes, destination)) {
    return {ino, status: 'skipped', blocksWritten: 0, blocksReused: 0, bytesRead: 0, bytesWrittenByDrive: new Map(), strayShardsRemoved: 0}
  }
  const targetBytes = destination.blockSizeBytes
  const targetCount = Math.ceil(inode.sizeBytes / targetBytes)
  // Blocks an earlier run staged past this move's last (cut while the file was longer, or smaller)
  // would never be replaced, and the swap, which wants one staged block per block of the file,
  // refused the file at every run after: "changed while it was being shifted" offline, "in use"
  // forever inside a server. They go, their files tombstoned.
  if (!store.staged.holdsNothing() && store.staged.of(ino).some(({index}) => index >= targetCount)) {
    await store.transaction(() => void dropStaged(store, context.blocks, ino, Date.now(), targetCount))
  }
  const strayShardsRemoved = context.keepStrays ? 0 : await removeStrayShards(store, context.blocks, context.pools, ino, [sourceBlockSizeBytes, targetBytes], inode.sizeBytes)
  const written = new Map<number, number>()
  let blocksWritten = 0
  let blocksReused = 0

  const shiftBlock = async (index: number, reader: SourceReader, buffer: Buffer): Promise<void> => {
    context.signal?.throwIfAborted()
    const offset = index * targetBytes
    const length = Math.min(targetBytes, inode.sizeBytes - offset)
    const previous = store.staged.find([ino, index])
    if (previous && isFresh(store, ino, index, previous, sourceBlockSizeBytes, destination)) {
      blocksReused++
      context.onBytes(length)
      return
    }
    const sources = await reader.read(offset, length, buffer)
    const data = buffer.subarray(0, length)
    const record = isAllZero(data) ? undefined : await writeTarget(context, destination, {fileId: ino, blockIndex: index}, data)
    let bytesToDrives = 0
    if (record) {
      const shardBytes = shardSizeBytes(record.topology, record.lengthBytes)
      for (const shard of record.shards) written.set(shard.drive, (written.get(shard.drive) ?? 0) + shardBytes)
      blocksWritten++
      bytesToDrives = shardBytes * record.shards.length
    }
    // Progress moves with each block written, not with the batch staged (16 blocks: a gigabyte at
    // 64M blocks, long enough for a bar stuck at 0% to look hung).
    context.onBytes(length)
    if (bytesToDrives > 0) {
      await context.rate?.consume(bytesToDrives)
      await placementOf(destination, index).pool.moveRate?.consume(bytesToDrives)
    }
    batch.push({index, record, previous, staged: {record, blockSizeBytes: targetBytes, sourceBlockSizeBytes, sources, sinceMs: Date.now()}})
    if (batch.length >= STAGE_BATCH_BLOCKS) await stageBatch()
  }

  let batch: WrittenBlock[] = []
  let staging = Promise.resolve()
  // Batches stage one at a time, in order, while the next batch is being read, encoded and
  // written; the caller of a full batch waits only for the batch before it (backpressure).
  const stageBatch = (): Promise<void> => {
    const taken = batch
    batch = []
    const before = staging
    staging = before.then(() => stageWritten(context, ino, taken))
    // Awaited by the next batch or at the end; until then a failure must not count as unhandled.
    staging.catch(() => {})
    return before
  }

  let next = 0
  const jobs = Math.max(1, Math.min(context.jobs, targetCount))
  const reader = new SourceReader(store, context.blocks, ino, sourceBlockSizeBytes, jobs)
  await Promise.all(Array.from({length: jobs}, async () => {
    const buffer = blocksAddon().alignedBuffer(targetBytes)
    while (next < targetCount) await shiftBlock(next++, reader, buffer)
  }))
  const bytesRead = reader.bytesRead
  await stageBatch()
  await staging
  await swapIn(context, inode, sourceBlockSizeBytes, targetBytes, targetCount, destination.rule)
  return {ino, status: 'shifted', blocksWritten, blocksReused, bytesRead, bytesWrittenByDrive: written, strayShardsRemoved}
}

/** Makes a batch of written blocks durable, then stages them in one transaction. */
async function stageWritten(context: ShiftContext, ino: number, written: readonly WrittenBlock[]): Promise<void> {
  if (written.length === 0) return
  await context.blocks.makeDurable(written.flatMap(({index, record}) => (record ? [{address: {fileId: ino, blockIndex: index}, record}] : [])))
  await context.store.transaction(() => {
    for (const {index, previous, staged} of written) {
      if (previous?.record) buryRecord(context.store, context.blocks, ino, index, previous.record, Date.now())
      context.store.staged.put([ino, index], staged)
    }
  })
}

async function writeTarget(context: ShiftContext, destination: Destination, address: {fileId: number; blockIndex: number}, data: Buffer): Promise<BlockRecord | undefined> {
  const {blocks} = context
  const {pool, topology} = placementOf(destination, address.blockIndex)
  const shards = await blocks.encodeShards(topology, data)
  const generation = await context.generations.take()
  return context.writeSlot(() => blocks.writeBlock(pool, address, destination.blockSizeBytes, generation, data, topology, {shards, sync: false}))
}

/** A staged block is still good when it was cut the same way, for the same destination, from the blocks the file has now. */
export function isFresh(store: MetaStore, ino: number, index: number, staged: StagedBlock, sourceBlockSizeBytes: number, destination: Destination): boolean {
  if (staged.blockSizeBytes !== destination.blockSizeBytes || staged.sourceBlockSizeBytes !== sourceBlockSizeBytes) return false
  if (staged.record && !isPlacedAt(staged.record, destination, index)) return false
  return staged.sources.every((source) => store.blockMaps.findBlock(ino, source.index)?.generation === source.generation)
}

/** The one transaction that makes the shift visible: every old block is as it was staged from, or nothing happens. */
async function swapIn(context: ShiftContext, inode: Inode, sourceBlockSizeBytes: number, targetBytes: number, targetCount: number,
  rule: string | undefined): Promise<void> {
  const {store} = context
  const swap = (): Promise<void> => store.transaction(() => {
    const current = store.inodes.getInode(inode.ino)
    const staged = store.staged.of(inode.ino)
    const covered = new Map<number, number | undefined>()
    for (const {staged: block} of staged) for (const source of block.sources) covered.set(source.index, source.generation)
    const unchanged = current.sizeBytes === inode.sizeBytes && (current.blockSizeBytes ?? sourceBlockSizeBytes) === sourceBlockSizeBytes &&
      staged.length === targetCount && staged.every(({index}, i) => index === i) &&
      store.blockMaps.blocksOf(inode.ino).every(({index, record}) => covered.get(index) === record.generation) &&
      [...covered].every(([index, generation]) => store.blockMaps.findBlock(inode.ino, index)?.generation === generation)
    if (!unchanged) throw new ChangedWhileShifted(inode.ino)
    const nowMs = Date.now()
    dropBlocks(store, context.blocks, inode.ino, 0, nowMs)
    let storedBytes = 0
    for (const {index, staged: block} of staged) {
      if (block.record) {
        store.blockMaps.putBlock(inode.ino, index, block.record)
        storedBytes += block.record.lengthBytes
      }
      store.staged.remove([inode.ino, index])
    }
    const {tierRule: _previous, ...placed} = store.inodes.getInode(inode.ino)
    store.inodes.putInode({...placed, blockSizeBytes: targetBytes, storedBytes, ...(rule === undefined ? {} : {tierRule: rule})})
  })
  await (context.whenQuiet ? context.whenQuiet(inode.ino, swap) : swap())
}
