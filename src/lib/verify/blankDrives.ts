import fs from 'node:fs'
import path from 'node:path'
import type {ShmrConfig} from '../config/types.js'
import {DRIVE_DATA_DIR, IGNORABLE_DIR_ENTRIES, PRIVATE_DIR_MODE} from '../format/constants.js'
import type {Superblock} from '../meta/records.js'
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
      if (!entry || !fs.existsSync(drive.dir) || readDriveIdentity(drive.dir)) continue
      if (fs.readdirSync(drive.dir).some((name) => !IGNORABLE_DIR_ENTRIES.includes(name))) continue
      fs.mkdirSync(path.join(drive.dir, DRIVE_DATA_DIR), {mode: PRIVATE_DIR_MODE})
      await writeDriveIdentity(drive.dir, {
        filesystemUuid: superblock.uuid, driveId: entry.id, driveName: entry.name, pool: entry.pool, formatVersion: superblock.formatVersion,
      })
      adopted.push(drive.name)
    }
  }
  return adopted
}
