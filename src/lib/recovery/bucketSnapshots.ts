import {SNAPSHOT_DIR, SNAPSHOT_FILE_PREFIX, SNAPSHOTS_KEPT} from '../format/constants.js'
import type {BucketDrive} from '../pools/bucketDrive.js'
import type {SnapshotCopy, SnapshotShelf} from './driveSnapshots.js'
import {HEADER_READ_BYTES, snapshotsIn} from './snapshotNames.js'

/**
 * A bucket drive's snapshots: objects `PREFIX` + `shmr-meta/snapshot.<seq>`, as on a directory
 * drive. One PUT writes a snapshot whole and durably (no temporary object: a PUT replaces
 * atomically and a key is never half-written), then the older ones past SNAPSHOTS_KEPT go.
 */
export function bucketShelf(drive: BucketDrive): SnapshotShelf {
  const at = (name: string): string => `${SNAPSHOT_DIR}/${name}`
  const list = async (): Promise<SnapshotCopy[]> => snapshotsIn(await drive.listDir(SNAPSHOT_DIR)).map(({name, seq}) => ({
    file: `s3://${drive.bucket.bucket}/${drive.bucket.prefix}${at(name)}`, seq,
    read: async () => {
      const bytes = await drive.readFile(at(name))
      if (!bytes) throw Object.assign(new Error(`${name} is gone`), {code: 'ENOENT'})
      return bytes
    },
    readHead: () => drive.readFileHead(at(name), HEADER_READ_BYTES),
  }))
  return {
    name: drive.name,
    list,
    write: async (seq, bytes) => {
      await drive.replace(at(`${SNAPSHOT_FILE_PREFIX}${seq}`), bytes)
      for (const old of (await list()).slice(SNAPSHOTS_KEPT)) await drive.removeFile(at(`${SNAPSHOT_FILE_PREFIX}${old.seq}`))
    },
  }
}
