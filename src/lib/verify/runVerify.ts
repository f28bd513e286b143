import {BlockStore, type BadShard} from '../blocks/blockStore.js'
import {shardSizeBytes, toleratedLosses} from '../blocks/topology.js'
import type {ShmrConfig} from '../config/types.js'
import {Namespace} from '../fs/namespace.js'
import {snapshotDrivesOf, writeSnapshots, type SnapshotsWritten} from '../recovery/driveSnapshots.js'
import {ExclusiveLock} from '../meta/exclusiveLock.js'
import {MetaStore} from '../meta/metaStore.js'
import type {BlockRecord} from '../meta/records.js'
import {PoolSet} from '../pools/poolSet.js'
import {RateLimiter} from '../pools/rateLimiter.js'
import {resolveTargets, type FileTarget} from '../fs/targets.js'
import {adoptBlankDrives} from './blankDrives.js'
import {checkMetadata, type MetadataFindings} from './checkMetadata.js'
import {probeStore} from '../meta/storeProbe.js'
import {taskThroughMount, type TaskProgress} from '../control/taskThroughMount.js'
import type {OpenNamespace} from '../fs/openFilesystem.js'

export type Verdict = 'ok' | 'degraded' | 'damaged'

export interface FileVerdict {
  readonly ino: number
  readonly path: string
  readonly status: Verdict
  readonly blocks: number
  readonly badShards: ReadonlyArray<{readonly block: number; readonly shard: number; readonly drive: string; readonly fault: string}>
  readonly shardsRepaired: number
}

export interface VerifyReport {
  /** How the store was opened: exclusively (offline), read-only beside a running mount, or the mount's own (a repair inside its server). */
  readonly mode: 'offline' | 'read-only' | 'online'
  readonly files: readonly FileVerdict[]
  readonly summary: {readonly files: number; readonly ok: number; readonly degraded: number; readonly damaged: number; readonly shardsRepaired: number; readonly bytesChecked: number}
  /** Whole-filesystem runs only. */
  readonly metadata?: MetadataFindings
  readonly drivesAdopted: readonly string[]
  /** With --repair: the metadata snapshot written to the drives at the end. */
  readonly metadataSnapshot?: SnapshotsWritten
  readonly seconds: number
}

export interface VerifyOptions extends TaskProgress {
  /** Files or directories (every file below); none means the whole filesystem. */
  readonly targets: readonly string[]
  readonly repair: boolean
  readonly rateBytesPerSecond?: number
}

/** The filesystem a verify reads: opened by the command, or the mount's own (a repair inside its server). */
export interface VerifyTarget extends OpenNamespace {
  /** Inside a running server: its cancel and unmount stop the repair between files. */
  readonly signal?: AbortSignal
}

/**
 * `shmr verify`: reads every stored block and shard of the chosen files, checks sizes and CRC32C,
 * and says per file whether it is ok, degraded (readable through parity or another copy) or
 * damaged. With `repair` it rewrites missing or corrupt shards from the others and adopts empty
 * replacement drives: offline, or inside the running server while mounted. Without, it runs
 * offline or read-only beside a mount. The whole-filesystem run also checks the metadata store.
 */
export async function runVerify(config: ShmrConfig, options: VerifyOptions): Promise<VerifyReport> {
  const startedMs = Date.now()
  const mounted = ExclusiveLock.isMounted(config.metadataDir)
  if (mounted && options.repair) {
    return taskThroughMount<VerifyReport>(config.metadataDir, {
      op: 'repair', targets: options.targets, ...(options.rateBytesPerSecond === undefined ? {} : {rateBytesPerSecond: options.rateBytesPerSecond}),
    }, options)
  }
  const lock = mounted ? undefined : ExclusiveLock.acquire(config.metadataDir, 'verify')
  let store: MetaStore | undefined
  try {
    await probeStore(config.metadataDir, {write: !mounted})
    store = await MetaStore.open(config.metadataDir, {readOnly: mounted})
    const drivesAdopted = options.repair ? await adoptBlankDrives(config, store.superblock) : []
    const pools = await PoolSet.open(config, store.superblock, {allowUnavailable: true})
    const blocks = new BlockStore(pools)
    const namespace = new Namespace(store, blocks, {isOpen: () => false})
    return await verifyOn({store, pools, blocks, namespace}, config, options, mounted ? 'read-only' : 'offline', drivesAdopted, startedMs)
  } finally {
    await store?.close()
    lock?.release()
  }
}

/**
 * The verify itself, on an open filesystem (see runVerify). Inside a server (`online`), empty
 * replacement drives are adopted and used at once, and a block the mount rewrote meanwhile is
 * left alone (its repaired copies tombstoned).
 */
export async function verifyOn(target: VerifyTarget, config: ShmrConfig, options: VerifyOptions, mode: VerifyReport['mode'],
  adoptedBefore: readonly string[] = [], startedMs = Date.now()): Promise<VerifyReport> {
  const {store, pools, blocks, namespace} = target
  const drivesAdopted = [...adoptedBefore]
  if (mode === 'online' && options.repair) {
    for (const name of await adoptBlankDrives(config, store.superblock)) {
      const id = store.superblock.drives.find((entry) => entry.name === name)!.id
      pools.unavailable.delete(id)
      drivesAdopted.push(name)
    }
  }
  const files = resolveTargets(store, namespace, options.targets.length > 0 ? options.targets : ['/'], true, config.mountpoint)
  options.onTotal?.(files.reduce((sum, file) => sum + (store.inodes.findInode(file.ino)?.storedBytes ?? 0), 0))
  const rate = options.rateBytesPerSecond ? new RateLimiter(options.rateBytesPerSecond) : undefined
  const verdicts: FileVerdict[] = []
  let bytesChecked = 0
  for (const file of files) {
    target.signal?.throwIfAborted()
    if (!store.inodes.findInode(file.ino)) continue // deleted through the mount meanwhile
    const verdict = await verifyFile(store, blocks, pools, file, options.repair, async (record) => {
      const bytes = shardSizeBytes(record.topology, record.lengthBytes) * record.shards.length
      bytesChecked += bytes
      options.onBytes?.(record.lengthBytes)
      await rate?.consume(bytes)
    })
    verdicts.push(verdict)
  }
  const metadata = options.targets.length === 0 ? await checkMetadata(store, blocks, pools) : undefined
  // Inside the server the repairs commit behind (the mount's writes do): durable before the snapshot.
  if (mode === 'online') await store.durable()
  const metadataSnapshot = options.repair ? await writeSnapshots(store, snapshotDrivesOf(pools)) : undefined
  const count = (status: Verdict): number => verdicts.filter((verdict) => verdict.status === status).length
  return {
    mode, files: verdicts, metadata, drivesAdopted, metadataSnapshot, seconds: (Date.now() - startedMs) / 1000,
    summary: {
      files: verdicts.length, ok: count('ok'), degraded: count('degraded'), damaged: count('damaged'),
      shardsRepaired: verdicts.reduce((sum, verdict) => sum + verdict.shardsRepaired, 0), bytesChecked,
    },
  }
}

async function verifyFile(store: MetaStore, blocks: BlockStore, pools: PoolSet, file: FileTarget, repair: boolean,
  onBlock: (record: BlockRecord) => Promise<void>): Promise<FileVerdict> {
  const badShards: Array<{block: number; shard: number; drive: string; fault: string}> = []
  let status: Verdict = 'ok'
  let shardsRepaired = 0
  const blockList = store.blockMaps.blocksOf(file.ino)
  for (const {index, record} of blockList) {
    const address = {fileId: file.ino, blockIndex: index}
    // Looked up again in the same step as the read starts (which keeps its files from the
    // reclaimer): inside a server the mount may have rewritten the block, its old files deleted.
    if (store.blockMaps.findBlock(file.ino, index)?.generation !== record.generation) continue
    const bad: BadShard[] = await blocks.checkBlock(address, record)
    await onBlock(record)
    if (bad.length === 0) continue
    badShards.push(...bad.map((shard) => ({block: index, shard: shard.shardIndex, drive: pools.drive(shard.drive)?.name ?? `#${shard.drive}`, fault: shard.fault})))
    const recoverable = bad.length <= toleratedLosses(record.topology)
    if (recoverable && repair) {
      let repaired: BlockRecord
      try {
        repaired = await blocks.repairShards(address, record, bad.map((shard) => shard.shardIndex))
      } catch (error) {
        if (store.blockMaps.findBlock(file.ino, index)?.generation !== record.generation) continue
        throw error
      }
      const swapped = await store.transaction(() => {
        const before = blocks.filesOf(address, record)
        const after = blocks.filesOf(address, repaired)
        // Rewritten through the mount meanwhile: its old files are tombstoned already; a shard
        // rebuilt on another drive is a copy nothing will reference.
        if (store.blockMaps.findBlock(file.ino, index)?.generation !== record.generation) {
          after.forEach((copy, i) => copy.drive !== before[i]!.drive && store.tombstones.bury({drive: copy.drive, path: copy.path, sinceMs: Date.now()}))
          return false
        }
        store.blockMaps.putBlock(file.ino, index, repaired)
        // A shard that moved to another drive leaves its old file (if any) for gc.
        after.forEach((copy, i) => copy.drive !== before[i]!.drive && store.tombstones.bury({drive: before[i]!.drive, path: before[i]!.path, sinceMs: Date.now()}))
        return true
      })
      if (swapped) shardsRepaired += bad.length
      // What the repair wrote counts against the pool's `rate`, as a move's writes do.
      const poolName = pools.drive(record.shards[0]!.drive)?.poolName
      if (poolName) await pools.pool(poolName).moveRate?.consume(shardSizeBytes(record.topology, record.lengthBytes) * bad.length)
      continue
    }
    status = !recoverable ? 'damaged' : status === 'damaged' ? 'damaged' : 'degraded'
  }
  return {ino: file.ino, path: file.label, status, blocks: blockList.length, badShards, shardsRepaired}
}
