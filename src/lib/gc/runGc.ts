import {BlockStore} from '../blocks/blockStore.js'
import type {ShmrConfig} from '../config/types.js'
import {askServer} from '../control/controlClient.js'
import {ExclusiveLock} from '../meta/exclusiveLock.js'
import {MetaStore} from '../meta/metaStore.js'
import {PoolSet} from '../pools/poolSet.js'
import {collectTombstones} from './collectTombstones.js'
import {findUnreferencedFiles} from './unreferencedFiles.js'
import {stagedOfMissingFiles} from './stagedOfMissingFiles.js'
import {staleStaged} from './staleStaged.js'
import {dropStaged, dropStagedBlock} from '../fs/blockMapEdits.js'
import type {OpenFilesystem} from '../fs/openFilesystem.js'

export interface GcReport {
  readonly dryRun: boolean
  readonly graceMs: number
  readonly tombstones: {readonly files: number; readonly bytes: number}
  readonly unreferenced: {readonly files: number; readonly bytes: number; readonly paths: readonly string[]}
  /** Unreferenced files younger than the grace period: a writer may still be about to commit them. */
  readonly keptYoung: number
  /** Files deleted while a shift or rewrite of them was interrupted, whose staged blocks were dropped (their files become tombstones). */
  readonly stagedOfMissingFiles: number
  /** Blocks staged for files that exist that no move can reuse any more (see staleStaged), dropped (their files become tombstones). */
  readonly staleStagedBlocks: number
  /** Run while mounted: the unreferenced files listed were kept (the mount may be about to commit them); offline gc deletes them. */
  readonly keptMounted: number
}

/**
 * `shmr gc`, offline: deletes tombstoned block and shard files, and shard files nothing
 * references (left by a crash), that are older than `graceMs`. Never a referenced file: the
 * reference set is built from the whole metadata store under the filesystem's lock.
 */
export async function runGc(config: ShmrConfig, options: {graceMs: number; dryRun: boolean}, server?: OpenFilesystem): Promise<GcReport> {
  if (!server && !options.dryRun && ExclusiveLock.isMounted(config.metadataDir)) {
    return await askServer(config.metadataDir, {op: 'gc', graceMs: options.graceMs}) as GcReport
  }
  if (server) return collect(server.store, server.pools, server.blocks, options, true)
  // A dry run only reads: no lock, the store read-only, so it runs beside a mount too. Files the
  // mount wrote and has not committed yet look unreferenced there, but the grace period keeps
  // them from the list.
  const lock = options.dryRun ? undefined : ExclusiveLock.acquire(config.metadataDir, 'gc')
  let store: MetaStore | undefined
  try {
    store = await MetaStore.open(config.metadataDir, {readOnly: options.dryRun})
    const pools = await PoolSet.open(config, store.superblock, {allowUnavailable: true})
    return await collect(store, pools, new BlockStore(pools), options, false)
  } finally {
    await store?.close()
    lock?.release()
  }
}

/** A mounted filesystem's own store, for gc inside its server. */

/**
 * Inside the server (`mounted`), unreferenced files are listed, not deleted: the mount may have
 * just written them, their commit still to come (a metadata disk full holds it for minutes), and
 * the store cannot tell. Offline gc deletes them.
 */
async function collect(store: MetaStore, pools: PoolSet, blocks: BlockStore, options: {graceMs: number; dryRun: boolean}, mounted: boolean): Promise<GcReport> {
  const missing = stagedOfMissingFiles(store)
  let stale = staleStaged(store, pools).length
  if (!options.dryRun && (missing.length > 0 || stale > 0)) {
    await store.transaction(() => {
      const nowMs = Date.now()
      for (const ino of missing) dropStaged(store, blocks, ino, nowMs)
      // Found again inside the transaction: inside a server, a move may stage or swap meanwhile.
      const found = staleStaged(store, pools)
      for (const {ino, index, staged} of found) dropStagedBlock(store, blocks, ino, index, staged, nowMs)
      stale = found.length
    })
  }
  const tombstones = await collectTombstones(store, pools, options.graceMs, {dryRun: options.dryRun, ...(mounted ? {blocks} : {})})
  const cutoff = Date.now() - options.graceMs
  const unreferenced = await findUnreferencedFiles(store, blocks, pools)
  const old = unreferenced.filter((file) => file.mtimeMs <= cutoff)
  if (!options.dryRun && !mounted) {
    for (const file of old) await pools.drive(file.drive)!.removeFile(file.path)
  }
  return {
    dryRun: options.dryRun, graceMs: options.graceMs,
    tombstones: {files: tombstones.files, bytes: tombstones.bytes},
    unreferenced: {files: old.length, bytes: old.reduce((sum, file) => sum + file.sizeBytes, 0), paths: old.map((file) => `${file.driveName}:${file.path}`)},
    keptYoung: unreferenced.length - old.length,
    keptMounted: mounted && !options.dryRun ? old.length : 0,
    stagedOfMissingFiles: missing.length,
    staleStagedBlocks: stale,
  }
}
