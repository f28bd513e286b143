import assert from 'node:assert/strict'
import type {StoredFile} from '../../src/lib/blocks/blockStore.js'
import {DirectoryDrive} from '../../src/lib/pools/directoryDrive.js'
import type {PoolSet} from '../../src/lib/pools/poolSet.js'

/** The path of a file the block store wrote, on a directory drive (what every fixture drive is). */
export function filePath(pools: PoolSet, file: StoredFile): string {
  const drive = pools.drive(file.drive)
  assert.ok(drive instanceof DirectoryDrive, `drive ${file.drive} is a directory drive`)
  return drive.resolve(file.path)
}
