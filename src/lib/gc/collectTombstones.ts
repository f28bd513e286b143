import fs from 'node:fs/promises'
import type {MetaStore} from '../meta/metaStore.js'
import type {Tombstone} from '../meta/records.js'
import type {PoolSet} from '../pools/poolSet.js'

export interface CollectReport {
  readonly files: number
  readonly bytes: number
}

/**
 * Deletes tombstoned files older than `graceMs` and drops their tombstones. A file on a drive
 * that is unavailable keeps its tombstone for a later run. The grace period keeps a reader that
 * looked up the old record just before it was replaced from finding its files gone.
 */
export async function collectTombstones(store: MetaStore, pools: PoolSet, graceMs: number, options: {dryRun?: boolean} = {}): Promise<CollectReport & {tombstones: Tombstone[]}> {
  const cutoff = Date.now() - graceMs
  const due = store.tombstones.all().filter((tombstone) => tombstone.sinceMs <= cutoff)
  const collected: Tombstone[] = []
  let bytes = 0
  for (const tombstone of due) {
    const drive = pools.drive(tombstone.drive)
    if (!drive || pools.unavailable.has(tombstone.drive)) continue
    const file = drive.resolve(tombstone.path)
    const size = await fs.stat(file).then((stats) => stats.size, () => 0)
    if (!options.dryRun) await fs.rm(file, {force: true})
    bytes += size
    collected.push(tombstone)
  }
  if (!options.dryRun && collected.length > 0) {
    await store.transaction(() => {
      for (const tombstone of collected) store.tombstones.exhume(tombstone.drive, tombstone.path)
    })
  }
  return {files: collected.length, bytes, tombstones: collected}
}
