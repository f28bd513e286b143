import {BlockStore} from '../blocks/blockStore.js'
import {describeTopology, shardCount, type Topology} from '../blocks/topology.js'
import type {ShmrConfig} from '../config/types.js'
import {isShmrError, ShmrError} from '../errors.js'
import {GenerationAllocator} from '../fs/generationAllocator.js'
import {Namespace} from '../fs/namespace.js'
import {collectTombstones} from '../gc/collectTombstones.js'
import {snapshotDrivesOf, writeSnapshots, type SnapshotsWritten} from '../recovery/driveSnapshots.js'
import {ExclusiveLock} from '../meta/exclusiveLock.js'
import {MetaStore} from '../meta/metaStore.js'
import {PoolSet, type Pool} from '../pools/poolSet.js'
import {planShift, type ShiftPlan} from './planShift.js'
import {RateLimiter} from '../pools/rateLimiter.js'
import {ChangedWhileShifted, shiftFile, type Destination, type FileShiftReport, type ShiftContext} from './shiftFile.js'
import {resolveTargets} from '../fs/targets.js'
import {migrateThroughMount} from '../control/migrateThroughMount.js'
import type {OpenNamespace} from '../fs/openFilesystem.js'

/** What a migration run shares, whatever decides where each file goes. */
export interface MigrationOptions {
  readonly targets: readonly string[]
  readonly recursive: boolean
  readonly dryRun: boolean
  readonly rateBytesPerSecond?: number
  readonly jobs: number
  readonly onPlan?: (plan: ShiftPlan) => void
  readonly onProgress?: (doneBytes: number) => void
}

export interface ShiftOptions extends MigrationOptions {
  /** Destination pool; default the first archive pool. */
  readonly to?: string
  /** Overrides the destination pool's scheme. */
  readonly scheme?: Topology
}

/** A destination as reports give it. */
export interface DestinationSummary {
  readonly pool: string
  readonly scheme: string
  readonly blockSizeBytes: number
  /** Bytes at the start of each file kept on the write pool (a tier rule's head), when there are. */
  readonly headBytes?: number
}

export function summarizeDestination(destination: Destination): DestinationSummary {
  const {pool, topology, blockSizeBytes, head} = destination
  return {pool: pool.name, scheme: describeTopology(topology), blockSizeBytes, ...(head ? {headBytes: head.blocks * blockSizeBytes} : {})}
}

export interface ShiftReport {
  readonly dryRun: boolean
  /** Where files went (shift); for rewrite, the new block size with each file's own pool and scheme. */
  readonly destination: DestinationSummary
  readonly plan: ShiftPlan
  /** `busy`: files inside a running server that stayed in use (open, being written) too long to swap: the next run takes them. */
  readonly files: {readonly shifted: number; readonly skipped: number; readonly busy: number}
  readonly blocks: {readonly written: number; readonly reused: number}
  readonly bytesRead: number
  readonly bytesWrittenByDrive: Record<string, number>
  readonly strayShardsRemoved: number
  /** The metadata snapshot written to the drives at the end (not in a dry run). */
  readonly metadataSnapshot?: SnapshotsWritten
  readonly seconds: number
}

/**
 * `shmr shift`: moves files' blocks to another pool (by default the first archive pool, with its
 * scheme and block size). Offline it holds the filesystem's lock for its whole run, so a mount is
 * refused meanwhile; while mounted, the server runs it (migrateThroughMount), given `server` there.
 */
export async function runShift(config: ShmrConfig, options: ShiftOptions, server?: ServerFilesystem): Promise<ShiftReport> {
  if (!server) {
    const online = await migrateThroughMount<ShiftReport>(config, 'shift', options)
    if (online) return online
  }
  return runMigration(config, options, 'shift', (pools) => {
    const destination = destinationOf(pools, options)
    return {summary: summarizeDestination(destination), forFile: () => destination}
  }, server)
}

/** What a migration route decides: where each file goes, and which of the targets move at all. */
export interface MigrationRoute {
  summary: ShiftReport['destination']
  forFile: (ino: number) => Destination
  /** Which of the targets to move at all (default every one). */
  include?: (ino: number) => boolean
}

export type RouteOf = (pools: PoolSet, store: MetaStore, namespace: Namespace) => MigrationRoute

/**
 * A mounted filesystem lending itself to a migration that runs inside its server (src/lib/control):
 * its open store, pools and namespace, and its data path's say over each file.
 */
export interface ServerFilesystem extends OpenNamespace {
  readonly mountpoint: string
  /** Writes out what the mount buffers of a file: its stored blocks are then its bytes. */
  flushFile(ino: number): Promise<void>
  /** See ShiftContext.whenQuiet: rejects (BUSY) when the file stays in use too long. */
  whenQuiet(ino: number, swap: () => Promise<void>): Promise<void>
  readonly signal: AbortSignal
}

/** Times a file moved inside a server is redone when it was written to meanwhile, before it is left for the next run. */
const ONLINE_ATTEMPTS = 3

/**
 * Runs a migration (shift, rewrite, tier): plans every file against the drives' free space, then
 * moves each file with shiftFile to the destination `route` gives it. Offline it holds the
 * filesystem's lock and opens it; inside a running server (`server`) it works on the mount's own
 * store, writing each file's buffered data out first and swapping its block map only when the
 * mount holds nothing of it; a file written to meanwhile is redone (its unchanged staged blocks
 * reused), one still in use is left for the next run (`files.busy`).
 */
export async function runMigration(config: ShmrConfig, options: MigrationOptions, purpose: string, route: RouteOf, server?: ServerFilesystem): Promise<ShiftReport> {
  if (server) return migrate(server, options, route, server)
  const startedMs = Date.now()
  // A dry run only reads: no lock, the store read-only, so it runs beside a mount too (planning
  // from what the mount has committed).
  const lock = options.dryRun ? undefined : ExclusiveLock.acquire(config.metadataDir, purpose)
  let store: MetaStore | undefined
  try {
    store = await MetaStore.open(config.metadataDir, {readOnly: options.dryRun})
    const pools = await PoolSet.open(config, store.superblock)
    const blocks = new BlockStore(pools)
    const namespace = new Namespace(store, blocks, {isOpen: () => false})
    const report = await migrate({store, pools, blocks, namespace, mountpoint: config.mountpoint}, options, route, undefined, startedMs)
    if (report.dryRun) return report
    // Offline, nobody can still be reading the old blocks: their files go now.
    await collectTombstones(store, pools, 0)
    return {...report, metadataSnapshot: await writeSnapshots(store, snapshotDrivesOf(pools)), seconds: (Date.now() - startedMs) / 1000}
  } finally {
    await store?.close()
    lock?.release()
  }
}

async function migrate(fsys: Pick<ServerFilesystem, 'store' | 'pools' | 'blocks' | 'namespace' | 'mountpoint'>, options: MigrationOptions, route: RouteOf,
  server: ServerFilesystem | undefined, startedMs = Date.now()): Promise<ShiftReport> {
  const {store, pools, blocks, namespace} = fsys
  const {summary, forFile, include} = route(pools, store, namespace)
  const files = resolveTargets(store, namespace, options.targets, options.recursive, fsys.mountpoint).filter((file) => include?.(file.ino) ?? true)
  const plan = await planShift(store, pools, files, forFile)
  options.onPlan?.(plan)
  const report = {
    dryRun: options.dryRun,
    destination: summary,
    plan, files: {shifted: 0, skipped: 0, busy: 0}, blocks: {written: 0, reused: 0}, bytesRead: 0, bytesWrittenByDrive: {} as Record<string, number>,
    strayShardsRemoved: 0, seconds: 0,
  }
  if (options.dryRun) return {...report, seconds: (Date.now() - startedMs) / 1000}
  let done = 0
  let writing = Promise.resolve()
  const context: ShiftContext = {
    store, blocks, pools, generations: new GenerationAllocator(store), jobs: options.jobs,
    rate: options.rateBytesPerSecond ? new RateLimiter(options.rateBytesPerSecond) : undefined,
    writeSlot: (work) => {
      const result = writing.then(work)
      writing = result.then(() => {}, () => {})
      return result
    },
    onBytes: (bytes) => options.onProgress?.((done += bytes)),
    whenQuiet: server ? (ino, swap) => server.whenQuiet(ino, swap) : undefined,
    signal: server?.signal,
    keepStrays: server !== undefined,
  }
  for (const file of plan.files) {
    const result = server ? await shiftInServer(context, server, file.ino, forFile(file.ino)) : await shiftFile(context, file.ino, forFile(file.ino))
    if (result === 'busy') {
      report.files.busy++
      continue
    }
    if (result === 'gone' || result.status === 'skipped') {
      report.files.skipped++
      continue
    }
    report.files.shifted++
    report.blocks.written += result.blocksWritten
    report.blocks.reused += result.blocksReused
    report.bytesRead += result.bytesRead
    report.strayShardsRemoved += result.strayShardsRemoved
    for (const [drive, bytes] of result.bytesWrittenByDrive) {
      const name = pools.drive(drive)!.name
      report.bytesWrittenByDrive[name] = (report.bytesWrittenByDrive[name] ?? 0) + bytes
    }
  }
  // Inside the server the swaps commit behind (the mount's writes do): durable before the report.
  // Its reclaimer deletes the old files once no read uses them; the snapshot tells the drives
  // where everything now is.
  if (server) await store.durable()
  const metadataSnapshot = server ? await writeSnapshots(store, snapshotDrivesOf(pools)) : undefined
  return {...report, ...(metadataSnapshot ? {metadataSnapshot} : {}), seconds: (Date.now() - startedMs) / 1000}
}

/** One file moved inside a running server: its buffered data written out first, redone when written to meanwhile. */
async function shiftInServer(context: ShiftContext, server: ServerFilesystem, ino: number, destination: Destination): Promise<FileShiftReport | 'busy' | 'gone'> {
  const {store} = context
  const generations = (): string => store.blockMaps.blocksOf(ino).map(({index, record}) => `${index}:${record.generation}`).join(',')
  // The progress of an attempt that does not stand is taken back, so a file redone counts once
  // (it counted again: `shmr status` showed a shift at 199%).
  let counted = 0
  const attemptContext: ShiftContext = {...context, onBytes: (bytes) => {
    counted += bytes
    context.onBytes(bytes)
  }}
  for (let attempt = 1; ; attempt++) {
    if (!store.inodes.findInode(ino)) return 'gone'
    await server.flushFile(ino)
    const before = generations()
    try {
      return await shiftFile(attemptContext, ino, destination)
    } catch (error) {
      if (context.signal?.aborted) throw error
      if (counted > 0) context.onBytes(-counted)
      counted = 0
      if (isShmrError(error, 'BUSY')) return 'busy'
      if (!store.inodes.findInode(ino)) return 'gone'
      // Written to meanwhile: caught at the swap, or earlier by a source block's files already
      // superseded and deleted when they were read. Redone; staged blocks still fresh are kept.
      if (!(error instanceof ChangedWhileShifted) && generations() === before) throw error
      if (attempt >= ONLINE_ATTEMPTS) return 'busy'
    }
  }
}

function destinationOf(pools: PoolSet, options: ShiftOptions): Destination {
  const pool: Pool | undefined = options.to ? pools.pool(options.to) : pools.pools.find((candidate) => candidate.role === 'archive')
  if (!pool) throw new ShmrError('BAD_CONFIG', 'the config has no archive pool to shift to')
  const topology = options.scheme ?? pool.topology
  const usable = pools.placeable(pool).length
  if (shardCount(topology) > usable) {
    throw new ShmrError('BAD_ARGUMENT', `scheme ${describeTopology(topology)} needs ${shardCount(topology)} drives, pool ${pool.name} has ${usable}`)
  }
  return {pool, topology, blockSizeBytes: pool.blockSizeBytes}
}
