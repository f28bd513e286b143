import fs from 'node:fs'
import path from 'node:path'
import type {ShmrConfig} from '../config/types.js'
import {DRIVE_DATA_DIR, IGNORABLE_DIR_ENTRIES, PRIVATE_DIR_MODE} from '../format/constants.js'
import type {Superblock} from '../meta/records.js'
import {BucketDrive} from '../pools/bucketDrive.js'
import {readDriveIdentity, writeDriveIdentity} from '../pools/driveIdentity.js'

/**
 * Gives an empty replacement drive, mounted where a dead one was, the identity of the drive it
 * replaces, so repair can write that drive's shards onto it. Only empty directories qualify:
 * anything else is a foreign or misplaced drive and stays refused. Returns the drives it set up.
 */
export async function adoptBlankDrives(config: ShmrConfig, superblock: Superblock): Promise<string[]> {
  const adopted: string[] = []
  for (const pool of config.pools) {
    for (const drive of pool.drives) {
      const entry = superblock.drives.find((candidate) => candidate.name === drive.name)
      if (!entry) continue
      const identity = {filesystemUuid: superblock.uuid, driveId: entry.id, driveName: entry.name, pool: entry.pool, formatVersion: superblock.formatVersion}
      if (drive.bucket) {
        // An empty bucket (or one not there yet) where the config names one: a replaced bucket.
        const bucket = new BucketDrive(entry.id, drive.name, pool.name, drive.bucket)
        if (!await bucket.isEmpty().catch(() => false)) continue
        await bucket.ensureBucket()
        await bucket.writeIdentity(identity)
        adopted.push(drive.name)
        continue
      }
      if (!fs.existsSync(drive.dir) || readDriveIdentity(drive.dir)) continue
      if (fs.readdirSync(drive.dir).some((name) => !IGNORABLE_DIR_ENTRIES.includes(name))) continue
      fs.mkdirSync(path.join(drive.dir, DRIVE_DATA_DIR), {mode: PRIVATE_DIR_MODE})
      await writeDriveIdentity(drive.dir, identity)
      adopted.push(drive.name)
    }
  }
  return adopted
}
