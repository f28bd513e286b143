import {BlockStore, type BadShard} from '../blocks/blockStore.js'
import {shardSizeBytes, toleratedLosses} from '../blocks/topology.js'
import type {ShmrConfig} from '../config/types.js'
import {ShmrError} from '../errors.js'
import {Namespace} from '../fs/namespace.js'
import {snapshotDrivesOf, writeSnapshots, type SnapshotsWritten} from '../recovery/driveSnapshots.js'
import {ExclusiveLock} from '../meta/exclusiveLock.js'
import {MetaStore} from '../meta/metaStore.js'
import type {BlockRecord} from '../meta/records.js'
import {PoolSet} from '../pools/poolSet.js'
import {RateLimiter} from '../shift/rateLimiter.js'
import {resolveTargets, type FileTarget} from '../fs/targets.js'
import {adoptBlankDrives} from './blankDrives.js'
import {checkMetadata, type MetadataFindings} from './checkMetadata.js'
import {probeStore} from '../meta/storeProbe.js'

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
  /** How the store was opened: exclusively (offline), or read-only beside a running mount. */
  readonly mode: 'offline' | 'read-only'
  readonly files: readonly FileVerdict[]
  readonly summary: {readonly files: number; readonly ok: number; readonly degraded: number; readonly damaged: number; readonly shardsRepaired: number; readonly bytesChecked: number}
  /** Whole-filesystem runs only. */
  readonly metadata?: MetadataFindings
  readonly drivesAdopted: readonly string[]
  /** With --repair: the metadata snapshot written to the drives at the end. */
  readonly metadataSnapshot?: SnapshotsWritten
  readonly seconds: number
}

export interface VerifyOptions {
  /** Files or directories (every file below); none means the whole filesystem. */
  readonly targets: readonly string[]
  readonly repair: boolean
  readonly rateBytesPerSecond?: number
  readonly onTotal?: (bytes: number) => void
  readonly onBytes?: (bytes: number) => void
}

/**
 * `shmr verify`: reads every stored block and shard of the chosen files, checks sizes and CRC32C,
 * and says per file whether it is ok, degraded (readable through parity or another copy) or
 * damaged. With `repair` (offline only) it rewrites missing or corrupt shards from the others and
 * adopts empty replacement drives. The whole-filesystem run also checks the metadata store.
 */
export async function runVerify(config: ShmrConfig, options: VerifyOptions): Promise<VerifyReport> {
  const startedMs = Date.now()
  const mounted = ExclusiveLock.holder(config.metadataDir)?.purpose === 'mount'
  if (mounted && options.repair) {
    throw new ShmrError('LOCKED', 'verify --repair needs the filesystem unmounted', {hint: 'unmount it first: shmr umount -c CONFIG'})
  }
  const lock = mounted ? undefined : ExclusiveLock.acquire(config.metadataDir, 'verify')
  let store: MetaStore | undefined
  try {
    await probeStore(config.metadataDir, {write: !mounted})
    store = await MetaStore.open(config.metadataDir, {readOnly: mounted})
    const drivesAdopted = options.repair ? await adoptBlankDrives(config, store.superblock) : []
    const pools = PoolSet.open(config, store.superblock, {allowUnavailable: true})
    const blocks = new BlockStore(pools)
    const namespace = new Namespace(store, blocks, {isOpen: () => false})
    const files = resolveTargets(store, namespace, options.targets.length > 0 ? options.targets : ['/'], true, config.mountpoint)
    options.onTotal?.(files.reduce((sum, file) => sum + (store!.inodes.findInode(file.ino)?.storedBytes ?? 0), 0))
    const rate = options.rateBytesPerSecond ? new RateLimiter(options.rateBytesPerSecond) : undefined
    const verdicts: FileVerdict[] = []
    let bytesChecked = 0
    for (const file of files) {
      const verdict = await verifyFile(store, blocks, pools, file, options.repair, async (record) => {
        const bytes = shardSizeBytes(record.topology, record.lengthBytes) * record.shards.length
        bytesChecked += bytes
        options.onBytes?.(record.lengthBytes)
        await rate?.consume(bytes)
      })
      verdicts.push(verdict)
    }
    const metadata = options.targets.length === 0 ? await checkMetadata(store, blocks, pools) : undefined
    const metadataSnapshot = options.repair ? await writeSnapshots(store, snapshotDrivesOf(pools)) : undefined
    const count = (status: Verdict): number => verdicts.filter((verdict) => verdict.status === status).length
    return {
      mode: mounted ? 'read-only' : 'offline', files: verdicts, metadata, drivesAdopted, metadataSnapshot, seconds: (Date.now() - startedMs) / 1000,
      summary: {
        files: verdicts.length, ok: count('ok'), degraded: count('degraded'), damaged: count('damaged'),
        shardsRepaired: verdicts.reduce((sum, verdict) => sum + verdict.shardsRepaired, 0), bytesChecked,
      },
    }
  } finally {
    await store?.close()
    lock?.release()
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
    const bad: BadShard[] = await blocks.checkBlock(address, record)
    await onBlock(record)
    if (bad.length === 0) continue
    badShards.push(...bad.map((shard) => ({block: index, shard: shard.shardIndex, drive: pools.drive(shard.drive)?.name ?? `#${shard.drive}`, fault: shard.fault})))
    const recoverable = bad.length <= toleratedLosses(record.topology)
    if (recoverable && repair) {
      const repaired = await blocks.repairShards(address, record, bad.map((shard) => shard.shardIndex))
      await store.transaction(() => {
        if (store.blockMaps.findBlock(file.ino, index)?.generation !== record.generation) throw new ShmrError('IO', `file ${file.ino} block ${index} changed during repair`)
        store.blockMaps.putBlock(file.ino, index, repaired)
        // A shard that moved to another drive leaves its old file (if any) for gc.
        const before = blocks.filesOf(address, record)
        blocks.filesOf(address, repaired).forEach((after, i) => {
          if (after.drive !== before[i]!.drive) store.tombstones.bury({drive: before[i]!.drive, path: before[i]!.path, sinceMs: Date.now()})
        })
      })
      shardsRepaired += bad.length
      continue
    }
    status = !recoverable ? 'damaged' : status === 'damaged' ? 'damaged' : 'degraded'
  }
  return {ino: file.ino, path: file.label, status, blocks: blockList.length, badShards, shardsRepaired}
}
