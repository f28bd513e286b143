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
  const key = fanout === 'grouped'
    ? `${Math.floor(fileId / FANOUT_GROUP_FILES)}.${Math.floor(blockIndex / FANOUT_GROUP_BLOCKS)}`
    : `${fileId}.${Math.floor(blockIndex / FANOUT_GROUP_BLOCKS_BY_FILE)}`
  const hex = crc32c(Buffer.from(key)).toString(16).padStart(8, '0')
  return path.join(DRIVE_DATA_DIR, hex.slice(0, 2), hex.slice(2, 4))
}

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
