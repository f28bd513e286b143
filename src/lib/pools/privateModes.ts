import fs from 'node:fs'
import path from 'node:path'
import type {ShmrConfig} from '../config/types.js'
import {systemErrorCode} from '../errors.js'
import {DRIVE_DATA_DIR, DRIVE_IDENTITY_FILE, PRIVATE_DIR_MODE, PRIVATE_FILE_MODE} from '../format/constants.js'

/**
 * Takes away group and other access from what shmr keeps on disk: the metadata directory and
 * every file in it, and each drive's data directory and identity file. Filesystems made before
 * shmr created everything private have 0644 block files in 0755 directories: any local user
 * could read another user's file from its blocks. A private data directory closes every file
 * below it, so the files themselves are left as they are (millions on a full drive).
 * Returns what it changed, e.g. `/srv/meta (was 0755)`.
 */
export function makePrivate(config: ShmrConfig): string[] {
  const changed: string[] = []
  const tighten = (target: string, mode: number): void => {
    try {
      const was = fs.statSync(target).mode & 0o7777
      if ((was & 0o077) === 0) return
      fs.chmodSync(target, mode)
      changed.push(`${target} (was ${was.toString(8).padStart(4, '0')})`)
    } catch (error) {
      if (systemErrorCode(error) !== 'ENOENT') throw error
    }
  }
  tighten(config.metadataDir, PRIVATE_DIR_MODE)
  for (const entry of fs.readdirSync(config.metadataDir, {withFileTypes: true})) {
    if (entry.isFile()) tighten(path.join(config.metadataDir, entry.name), PRIVATE_FILE_MODE)
  }
  for (const drive of config.pools.flatMap((pool) => pool.drives)) {
    // A bucket's objects are the store's to guard (its ACLs): there are no modes to tighten.
    if (drive.bucket) continue
    tighten(path.join(drive.dir, DRIVE_DATA_DIR), PRIVATE_DIR_MODE)
    tighten(path.join(drive.dir, DRIVE_IDENTITY_FILE), PRIVATE_FILE_MODE)
  }
  return changed
}

/** The one log line for what makePrivate changed, if anything. */
export function describePrivate(changed: readonly string[]): string | undefined {
  return changed.length === 0 ? undefined : `made private what other users could read: ${changed.join(', ')}`
}
