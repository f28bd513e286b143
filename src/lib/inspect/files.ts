import {resolveTargets} from '../fs/targets.js'
import {fileLocation, type FileLocation} from './fileLocation.js'
import type {ReadOnlyFs} from './openReadOnly.js'

export interface FileRow extends FileLocation {
  readonly path: string
  readonly ino: number
  readonly sizeBytes: number
}

interface Tally {
  readonly files: number
  readonly bytes: number
}

export interface FilesReport {
  readonly files: readonly FileRow[]
  readonly summary: {readonly files: number; readonly bytes: number; readonly protected: Tally; readonly unprotected: Tally}
}

/**
 * `shmr inspect files`: every file below the targets, where its data is (pool and scheme) and
 * whether it survives the loss of a drive. Read from the metadata store: beside a mount, blocks
 * the mount has not written out yet are not seen (the user.shmr.location attribute through the
 * mount counts them).
 */
export function inspectFiles({store, pools, namespace}: ReadOnlyFs, targets: readonly string[], mountpoint: string,
  options: {unprotectedOnly: boolean}): FilesReport {
  const all: FileRow[] = []
  for (const {ino, label} of resolveTargets(store, namespace, targets, true, mountpoint)) {
    const inode = store.inodes.getInode(ino)
    // Paths as inside the filesystem, whether the targets were given so or through the mount point.
    const path = label.startsWith(`${mountpoint}/`) ? label.slice(mountpoint.length) : label
    all.push({path, ino, sizeBytes: inode.sizeBytes, ...fileLocation(store, pools, inode)})
  }
  const tally = (rows: readonly FileRow[]): Tally => ({files: rows.length, bytes: rows.reduce((sum, row) => sum + row.sizeBytes, 0)})
  const unprotected = all.filter((row) => !row.protected)
  return {
    files: options.unprotectedOnly ? unprotected : all,
    summary: {...tally(all), protected: tally(all.filter((row) => row.protected)), unprotected: tally(unprotected)},
  }
}
