import path from 'node:path'
import {crc32c} from '../blocks/checksum.js'
import type {BlockAddress} from '../blocks/blockStore.js'
import type {BlockRecord} from '../meta/records.js'
import {DRIVE_DATA_DIR, FANOUT_GROUP_BLOCKS, FANOUT_GROUP_BLOCKS_BY_FILE, FANOUT_GROUP_FILES} from './constants.js'
import {formatShardName, type ShardName} from './shardName.js'

/**
 * Which fan-out directory a block's files lie in (docs/FORMAT.md, "Drive directories"): that of
 * its file's group and block group (`grouped`, format 6 on), or that of its file and block group
 * (`byFile`, blocks written before).
 */
export type Fanout = 'grouped' | 'byFile'

/** The fan-out of a block record's files. */
export function fanoutOf(record: Pick<BlockRecord, 'groupedFanout'>): Fanout {
  return record.groupedFanout ? 'grouped' : 'byFile'
}

/**
 * The fan-out directory, relative to a drive, of a file's block: `shmr/<xx>/<yy>`, the first four
 * hex digits of a CRC32C of the group's key. Every shard of one block sits at the same relative
 * path on its drive.
 */
export function fanoutDir({fileId, blockIndex}: BlockAddress, fanout: Fanout): string {
  const group = fanout === 'grouped' ? Math.floor(fileId / FANOUT_GROUP_FILES) : fileId
  const blockGroup = Math.floor(blockIndex / (fanout === 'grouped' ? FANOUT_GROUP_BLOCKS : FANOUT_GROUP_BLOCKS_BY_FILE))
  // Both fan-outs hash the same key: the directory depends on the two numbers alone.
  if (group === lastDir.group && blockGroup === lastDir.blockGroup) return lastDir.dir
  const hex = crc32c(Buffer.from(`${group}.${blockGroup}`)).toString(16).padStart(8, '0')
  lastDir = {group, blockGroup, dir: path.join(DRIVE_DATA_DIR, hex.slice(0, 2), hex.slice(2, 4))}
  return lastDir.dir
}

/**
 * The last fan-out directory worked out. The next block's mostly lies in it: a file's blocks, and
 * files written or read in the order they were made (FANOUT_GROUP_FILES to a group). Each open
 * for reading works out its blocks' files (storedLayout): hashing the key anew cost 1-3 us.
 */
let lastDir = {group: -1, blockGroup: -1, dir: ''}

/** Where a block or shard file lives, relative to its drive. */
export function shardPath(name: ShardName, fanout: Fanout): string {
  return path.join(fanoutDir({fileId: name.fileId, blockIndex: name.blockIndex}, fanout), formatShardName(name))
}

/**
 * Every fan-out directory, relative to a drive, that may hold files of a file's first
 * `blockCount` blocks, in either fan-out (files of a run that died before it recorded them).
 */
export function fanoutDirsOf(fileId: number, blockCount: number): Set<string> {
  const dirs = new Set<string>()
  for (const [fanout, perDir] of [['grouped', FANOUT_GROUP_BLOCKS], ['byFile', FANOUT_GROUP_BLOCKS_BY_FILE]] as const) {
    for (let blockIndex = 0; blockIndex < Math.max(1, blockCount); blockIndex += perDir) dirs.add(fanoutDir({fileId, blockIndex}, fanout))
  }
  return dirs
}
