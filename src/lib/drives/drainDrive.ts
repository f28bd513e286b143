import {BlockStore} from '../blocks/blockStore.js'
import {describeTopology, shardCount, shardSizeBytes} from '../blocks/topology.js'
import type {ShmrConfig} from '../config/types.js'
import {ShmrError} from '../errors.js'
import {formatSize} from '../format/size.js'
import {collectTombstones} from '../gc/collectTombstones.js'
import {ExclusiveLock} from '../meta/exclusiveLock.js'
import {MetaStore} from '../meta/metaStore.js'
import type {BlockRecord} from '../meta/records.js'
import type {DriveSpace} from '../pools/policies/index.js'
import {PoolSet, type Pool} from '../pools/poolSet.js'
import {snapshotDrivesOf, writeSnapshots, type SnapshotsWritten} from '../recovery/driveSnapshots.js'
import {RateLimiter} from '../pools/rateLimiter.js'
import {removeStrayShards} from '../shift/strayShards.js'
import {blocksOnDrive, type BlockOnDrive} from './blocksOnDrive.js'
import {poolOfDrive} from './driveConfig.js'
import {taskThroughMount, type TaskProgress} from '../control/taskThroughMount.js'
import type {OpenFilesystem} from '../fs/openFilesystem.js'

export interface DrainOptions extends TaskProgress {
  readonly name: string
  /** Check and plan only: nothing is marked or moved. */
  readonly dryRun?: boolean
  /** Clear the drain mark instead: new shards may go to the drive again (moved shards stay moved). */
  readonly undo?: boolean
  readonly rateBytesPerSecond?: number
}

export interface DrainReport {
  readonly drive: string
  readonly pool: string
  readonly dryRun: boolean
  /** True when the drive is marked as being drained (after the run; false after --undo). */
  readonly draining: boolean
  /** Blocks that had a shard on the drive when the run began. */
  readonly blocks: number
  readonly shardsMoved: number
  /** Of those, shards whose file could not be read back intact (or whose drive was gone): rebuilt from the block's other shards. */
  readonly shardsRebuilt: number
  readonly bytesMoved: number
  readonly bytesWrittenByDrive: Record<string, number>
  /** Staged blocks of an unfinished shift that used the drive: dropped (a rerun of the shift writes them elsewhere). */
  readonly stagedDropped: number
  /** Shard files an interrupted earlier drain left behind, deleted. */
  readonly strayShardsRemoved: number
  readonly metadataSnapshot?: SnapshotsWritten
  readonly seconds: number
}

/** The filesystem a drain works on: opened by the command (offline), or the mount's own, inside its server. */
export interface DrainTarget extends OpenFilesystem {
  /** Inside a running server: its cancel and unmount stop the drain between blocks. */
  readonly signal?: AbortSignal
}

/**
 * `shmr drive drain NAME`: moves every shard on a drive to the other drives of its pool, so that
 * `shmr drive remove` can take it out. Everything is checked first (the pool keeps enough drives
 * for each block's scheme; the others have room, by the pool's placement policy, for every shard
 * with a block's shards on distinct drives): a refusal changes nothing. Then the drive is marked
 * draining in the superblock (no new shard goes there), and each block's shards are copied
 * (rebuilt from the others when unreadable), fsynced, and its record swapped by compare-and-swap,
 * the old files tombstoned. Offline it holds the filesystem's lock; while mounted, the server
 * runs it (an archive pool's drive), the mount serving meanwhile. Killed, a rerun goes on where
 * it stopped, deleting the copies the killed run had written but not recorded.
 */
export async function drainDrive(config: ShmrConfig, options: DrainOptions): Promise<DrainReport> {
  const startedMs = Date.now()
  poolOfDrive(config, options.name) // refuses a name the config lacks, before asking the server
  if (!options.dryRun && ExclusiveLock.isMounted(config.metadataDir)) {
    return taskThroughMount<DrainReport>(config.metadataDir, {
      op: 'drain', name: options.name, ...(options.undo ? {undo: true} : {}),
      ...(options.rateBytesPerSecond === undefined ? {} : {rateBytesPerSecond: options.rateBytesPerSecond}),
    }, options)
  }
  // A dry run only reads: no lock, the store read-only, so it runs beside a mount too.
  const lock = options.dryRun ? undefined : ExclusiveLock.acquire(config.metadataDir, 'drive drain')
  let store: MetaStore | undefined
  try {
    store = await MetaStore.open(config.metadataDir, {readOnly: options.dryRun})
    const pools = await PoolSet.open(config, store.superblock, {allowUnavailable: true})
    const report = await drainOn({store, pools, blocks: new BlockStore(pools)}, options, startedMs)
    if (report.dryRun || options.undo) return report
    // Offline, nobody can still be reading the old files: they go now.
    await collectTombstones(store, pools, 0)
    return {...report, metadataSnapshot: await writeSnapshots(store, snapshotDrivesOf(pools)), seconds: (Date.now() - startedMs) / 1000}
  } finally {
    await store?.close()
    lock?.release()
  }
}

/**
 * The drain itself, on an open filesystem (see drainDrive). Inside a server, a block the mount
 * rewrote meanwhile (a new generation, on the write pool) is left alone, its new copies
 * tombstoned; the old files go once no read uses them (the server's reclaimer).
 */
export async function drainOn(target: DrainTarget, options: DrainOptions, startedMs = Date.now()): Promise<DrainReport> {
  const {store, pools, blocks} = target
  const entry = store.superblock.drives.find((drive) => drive.name === options.name)
  if (!entry) throw new ShmrError('BAD_CONFIG', `drive ${options.name} is in the config but not part of the filesystem`)
  const pool = pools.pool(entry.pool)
  if (target.signal && pool.role === 'write') {
    throw new ShmrError('LOCKED', `drive ${entry.name} is a write pool drive: the mount writes there`, {hint: 'unmount the filesystem, then drain it'})
  }
  const report = {
    drive: entry.name, pool: pool.name, dryRun: options.dryRun === true, draining: entry.draining === true, blocks: 0,
    shardsMoved: 0, shardsRebuilt: 0, bytesMoved: 0, bytesWrittenByDrive: {} as Record<string, number>, stagedDropped: 0, strayShardsRemoved: 0,
  }
  const seconds = (): number => (Date.now() - startedMs) / 1000
  if (options.undo) {
    if (options.dryRun) return {...report, seconds: seconds()}
    if (entry.draining) await store.setDraining(entry.id, false)
    pools.draining.delete(entry.id)
    return {...report, draining: false, seconds: seconds()}
  }
  const onDrive = [...blocksOnDrive(store, entry.id)]
  const toMove = onDrive.filter((block) => !block.staged)
  await checkRoom(pools, pool, entry.id, toMove)
  const totalBytes = toMove.reduce((sum, {record}) => sum + movedBytes(record, entry.id), 0)
  if (options.dryRun) return {...report, blocks: toMove.length, bytesMoved: totalBytes, seconds: seconds()}

  const resumed = entry.draining === true
  if (!resumed) await store.setDraining(entry.id, true)
  pools.draining.add(entry.id)
  // A drain killed between writing a copy and recording it left that copy unreferenced: on the
  // pool's drives, which (the write pool aside) only a task writes to, and one runs at a time.
  if (resumed) {
    for (const ino of new Set(toMove.map((block) => block.ino))) {
      // Through the mount, a file may be deleted meanwhile (each removal below is awaited).
      const inode = store.inodes.findInode(ino)
      if (!inode) continue
      const sizes = new Set(store.blockMaps.blocksOf(ino).map(({record}) => record.blockSizeBytes))
      report.strayShardsRemoved += await removeStrayShards(store, blocks, pools, ino, [...sizes], inode.sizeBytes, pool.drives)
    }
  }
  report.stagedDropped = await dropStaged(store, blocks, onDrive.filter((block) => block.staged))
  options.onTotal?.(totalBytes)
  const rate = options.rateBytesPerSecond ? new RateLimiter(options.rateBytesPerSecond) : undefined
  for (const {ino, index, record} of toMove) {
    target.signal?.throwIfAborted()
    const which = record.shards.flatMap((shard, i) => (shard.drive === entry.id ? [i] : []))
    const bytes = movedBytes(record, entry.id)
    await rate?.consume(bytes)
    await pool.moveRate?.consume(bytes)
    const address = {fileId: ino, blockIndex: index}
    // Looked up again in the same step as the read starts (which keeps its files from the
    // reclaimer): through the mount the block may have been rewritten, its old files deleted.
    if (!isSameBlock(store.blockMaps.findBlock(ino, index), record)) continue
    let moved: Awaited<ReturnType<BlockStore['moveShards']>>
    try {
      moved = await blocks.moveShards(address, record, which)
    } catch (error) {
      if (!isSameBlock(store.blockMaps.findBlock(ino, index), record)) continue
      throw error
    }
    const swapped = await store.transaction(() => {
      const before = blocks.filesOf(address, record)
      const after = blocks.filesOf(address, moved.record)
      // Rewritten through the mount meanwhile: the block left the drive another way; the copies go.
      const unchanged = isSameBlock(store.blockMaps.findBlock(ino, index), record)
      for (const i of which) store.tombstones.bury({drive: unchanged ? before[i]!.drive : after[i]!.drive, path: before[i]!.path, sinceMs: Date.now()})
      if (unchanged) store.blockMaps.putBlock(ino, index, moved.record)
      return unchanged
    })
    options.onBytes?.(bytes)
    if (!swapped) continue
    report.blocks++
    report.shardsMoved += which.length
    report.shardsRebuilt += moved.rebuilt
    report.bytesMoved += bytes
    for (const i of which) {
      const name = pools.drive(moved.record.shards[i]!.drive)!.name
      report.bytesWrittenByDrive[name] = (report.bytesWrittenByDrive[name] ?? 0) + shardSizeBytes(record.topology, record.lengthBytes)
    }
  }
  if (target.signal) {
    // Inside the server the swaps commit behind (the mount's writes do): durable before the report.
    await store.durable()
    return {...report, draining: true, metadataSnapshot: await writeSnapshots(store, snapshotDrivesOf(pools)), seconds: seconds()}
  }
  return {...report, draining: true, seconds: seconds()}
}

/** Whether a block's record is still `record`: the same generation with its shards where they were. */
function isSameBlock(current: BlockRecord | undefined, record: BlockRecord): boolean {
  return current?.generation === record.generation && current.shards.every((shard, i) => shard.drive === record.shards[i]!.drive)
}

/** Bytes of a block's shard files on drive `id`. */
function movedBytes(record: BlockRecord, id: number): number {
  return shardSizeBytes(record.topology, record.lengthBytes) * record.shards.filter((shard) => shard.drive === id).length
}

/**
 * Refuses, before anything is written, a drain the rest of the pool cannot take: too few drives
 * left for a block's scheme, or too little room by the pool's own placement policy with each
 * block's shards on distinct drives (the figures are the drives' free space now).
 */
async function checkRoom(pools: PoolSet, pool: Pool, id: number, blocks: readonly BlockOnDrive[]): Promise<void> {
  const others = pools.placeable(pool).filter((drive) => drive.id !== id)
  const space = new Map<number, DriveSpace>()
  for (const drive of others) space.set(drive.id, await drive.space())
  const neededBytes = blocks.reduce((sum, {record}) => sum + movedBytes(record, id), 0)
  for (const {ino, index, record} of blocks) {
    const holding = new Set(record.shards.map((shard) => shard.drive))
    const moving = record.shards.filter((shard) => shard.drive === id).length
    if (others.filter((drive) => !holding.has(drive.id)).length < moving) {
      throw new ShmrError('BAD_ARGUMENT', `pool ${pool.name} would keep too few usable drives: blocks of scheme ${describeTopology(record.topology)} (file ${ino} block ${index}, and maybe more) need ${shardCount(record.topology)} distinct drives, ${others.length} would be left`, {
        hint: 'add a drive first (shmr drive add), or bring back the pool\'s unavailable drives',
      })
    }
    const shardBytes = shardSizeBytes(record.topology, record.lengthBytes)
    for (const shard of record.shards) {
      if (shard.drive !== id) continue
      const chosen = pool.policy.place([...space.values()].filter((drive) => !holding.has(drive.id)), 1, shardBytes)?.[0]
      if (chosen === undefined) {
        const freeBytes = [...space.values()].reduce((sum, drive) => sum + drive.freeBytes, 0)
        throw new ShmrError('NO_SPACE', `the other drives of pool ${pool.name} cannot take the ${formatSize(neededBytes)} of shards on ${pools.drive(id)?.name ?? id} (${formatSize(freeBytes)} free between them, each block's shards on distinct drives); nothing was moved`, {
          hint: 'add a drive first (shmr drive add), or free space on the pool',
        })
      }
      holding.add(chosen)
      const drive = space.get(chosen)!
      space.set(chosen, {...drive, freeBytes: drive.freeBytes - shardBytes})
    }
  }
}

/** Drops staged blocks using the drive: their files tombstoned (deleted at the end), the shift that staged them writes them anew. */
async function dropStaged(store: MetaStore, blocks: BlockStore, staged: readonly BlockOnDrive[]): Promise<number> {
  if (staged.length === 0) return 0
  await store.transaction(() => {
    for (const {ino, index, record} of staged) {
      for (const file of blocks.filesOf({fileId: ino, blockIndex: index}, record)) store.tombstones.bury({drive: file.drive, path: file.path, sinceMs: Date.now()})
      store.staged.remove([ino, index])
    }
  })
  return staged.length
}
