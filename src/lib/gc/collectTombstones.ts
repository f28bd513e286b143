import path from 'node:path'
import type {BlockStore} from '../blocks/blockStore.js'
import {parseShardName} from '../format/shardName.js'
import type {MetaStore} from '../meta/metaStore.js'
import type {Tombstone} from '../meta/records.js'
import type {PoolSet} from '../pools/poolSet.js'
import {groupBy} from '../groupBy.js'

/** Files deleted at once: each drive's of them in one removeFiles. */
const REMOVALS_AT_ONCE = 32

export interface CollectReport {
  readonly files: number
  readonly bytes: number
}

export interface CollectOptions {
  readonly dryRun?: boolean
  /** Just these tombstones (their burial is durable), whatever their age. */
  readonly only?: readonly Tombstone[]
  /**
   * The mounted filesystem's block store: the files of a generation it is reading are kept for a
   * later run, and the space of those deleted counts as free at once.
   */
  readonly blocks?: BlockStore
}

/**
 * Deletes tombstoned files older than `graceMs` (or `only` those given) and drops their
 * tombstones. A file on a drive that is unavailable keeps its tombstone for a later run. The
 * grace period keeps a file until the commit that buried it is surely durable, and, offline,
 * from a reader that looked up the old record just before it was replaced.
 */
export async function collectTombstones(store: MetaStore, pools: PoolSet, graceMs: number, options: CollectOptions = {}): Promise<CollectReport & {tombstones: Tombstone[]}> {
  const cutoff = Date.now() - graceMs
  const due = options.only ?? store.tombstones.all().filter((tombstone) => tombstone.sinceMs <= cutoff)
  const collected = due.filter((tombstone) => !pools.unavailable.has(tombstone.drive) && pools.drive(tombstone.drive) && !isBeingRead(tombstone, options.blocks))
  let bytes = 0
  // Several at a time: a mount's fsync waits for the files its flush superseded. Random 64 KiB
  // rewrites with an fsync every 16 (bench --quick, medians of 3): 56.7 MB/s with no wait (and the
  // pool at 6x the live data), 48.8 deleting one by one, 51.2 deleting 32 at once.
  for (let start = 0; start < collected.length; start += REMOVALS_AT_ONCE) {
    const batch = collected.slice(start, start + REMOVALS_AT_ONCE)
    if (options.dryRun) {
      await Promise.all(batch.map(async (tombstone) => {
        bytes += (await pools.drive(tombstone.drive)!.fileSize(tombstone.path)) ?? 0
      }))
      continue
    }
    // A drive's files of the batch in one removeFiles (one job for a directory drive).
    await Promise.all([...groupBy(batch, (tombstone) => tombstone.drive)].map(async ([id, tombstones]) => {
      const drive = pools.drive(id)!
      for (const removed of await drive.removeFiles(tombstones.map((tombstone) => tombstone.path))) {
        options.blocks?.freed(drive.id, removed.allocatedBytes)
        bytes += removed.sizeBytes
      }
    }))
  }
  if (!options.dryRun && collected.length > 0) {
    await store.transaction(() => {
      for (const tombstone of collected) store.tombstones.exhume(tombstone.drive, tombstone.path)
    })
  }
  return {files: collected.length, bytes, tombstones: collected}
}

function isBeingRead(tombstone: Tombstone, blocks: BlockStore | undefined): boolean {
  if (!blocks) return false
  const name = parseShardName(path.basename(tombstone.path))
  return name !== undefined && blocks.isReading(name.generation)
}
