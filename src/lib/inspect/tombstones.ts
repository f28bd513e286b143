import type {ReadOnlyFs} from './openReadOnly.js'

export interface TombstoneRow {
  readonly drive: string
  /** Relative to the drive directory. */
  readonly path: string
  /** ISO 8601: when the metadata stopped pointing at the file. */
  readonly since: string
  /** Undefined when the file is gone already (or its drive is absent): gc drops the tombstone. */
  readonly sizeBytes?: number
}

export interface TombstoneList {
  readonly tombstones: readonly TombstoneRow[]
  readonly files: number
  readonly bytes: number
}

/**
 * `shmr inspect tombstones`: the block and shard files the metadata no longer points at, oldest
 * first, waiting for gc (offline, or the mount's reclaimer once no read uses them).
 */
export async function listTombstones({store, pools}: Pick<ReadOnlyFs, 'store' | 'pools'>): Promise<TombstoneList> {
  const rows: TombstoneRow[] = []
  for (const tombstone of [...store.tombstones.all()].sort((a, b) => a.sinceMs - b.sinceMs)) {
    const drive = pools.drive(tombstone.drive)
    const sizeBytes = drive && !pools.unavailable.has(drive.id) ? await drive.fileSize(tombstone.path) : undefined
    rows.push({drive: drive?.name ?? `#${tombstone.drive}`, path: tombstone.path, since: new Date(tombstone.sinceMs).toISOString(), ...(sizeBytes === undefined ? {} : {sizeBytes})})
  }
  return {tombstones: rows, files: rows.length, bytes: rows.reduce((sum, row) => sum + (row.sizeBytes ?? 0), 0)}
}
