import fs from 'node:fs/promises'
import {BlockStore} from '../blocks/blockStore.js'
import type {ShmrConfig} from '../config/types.js'
import {ExclusiveLock} from '../meta/exclusiveLock.js'
import {MetaStore} from '../meta/metaStore.js'
import {PoolSet} from '../pools/poolSet.js'
import {collectTombstones} from './collectTombstones.js'
import {findUnreferencedFiles} from './unreferencedFiles.js'
import {stagedOfMissingFiles} from './stagedOfMissingFiles.js'
import {dropStaged} from '../fs/blockMapEdits.js'

export interface GcReport {
  readonly dryRun: boolean
  readonly graceMs: number
  readonly tombstones: {readonly files: number; readonly bytes: number}
  readonly unreferenced: {readonly files: number; readonly bytes: number; readonly paths: readonly string[]}
  /** Unreferenced files younger than the grace period: a writer may still be about to commit them. */
  readonly keptYoung: number
  /** Files deleted while a shift or rewrite of them was interrupted, whose staged blocks were dropped (their files become tombstones). */
  readonly stagedOfMissingFiles: number
}

/**
 * `shmr gc`, offline: deletes tombstoned block and shard files, and shard files nothing
 * references (left by a crash), that are older than `graceMs`. Never a referenced file: the
 * reference set is built from the whole metadata store under the filesystem's lock.
 */
export async function runGc(config: ShmrConfig, options: {graceMs: number; dryRun: boolean}): Promise<GcReport> {
  // A dry run only reads: no lock, the store read-only, so it runs beside a mount too. Files the
  // mount wrote and has not committed yet look unreferenced there, but the grace period keeps
  // them from the list.
  const lock = options.dryRun ? undefined : ExclusiveLock.acquire(config.metadataDir, 'gc')
  let store: MetaStore | undefined
  try {
    store = await MetaStore.open(config.metadataDir, {readOnly: options.dryRun})
    const pools = PoolSet.open(config, store.superblock, {allowUnavailable: true})
    const missing = stagedOfMissingFiles(store)
    if (!options.dryRun && missing.length > 0) {
      const blocks = new BlockStore(pools)
      await store.transaction(() => {
        for (const ino of missing) dropStaged(store!, blocks, ino, Date.now())
      })
    }
    const tombstones = await collectTombstones(store, pools, options.graceMs, {dryRun: options.dryRun})
    const cutoff = Date.now() - options.graceMs
    const unreferenced = await findUnreferencedFiles(store, new BlockStore(pools), pools)
    const old = unreferenced.filter((file) => file.mtimeMs <= cutoff)
    if (!options.dryRun) {
      for (const file of old) await fs.rm(pools.drive(file.drive)!.resolve(file.path), {force: true})
    }
    return {
      dryRun: options.dryRun, graceMs: options.graceMs,
      tombstones: {files: tombstones.files, bytes: tombstones.bytes},
      unreferenced: {files: old.length, bytes: old.reduce((sum, file) => sum + file.sizeBytes, 0), paths: old.map((file) => `${file.driveName}:${file.path}`)},
      keptYoung: unreferenced.length - old.length,
      stagedOfMissingFiles: missing.length,
    }
  } finally {
    await store?.close()
    lock?.release()
  }
}
