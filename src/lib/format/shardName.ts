import {ShmrError} from '../errors.js'
import {describeTopologyCode, parseTopologyCode} from './topologyCode.js'
import {SHARD_FILE_EXTENSION} from './constants.js'
import type {Topology} from '../blocks/topology.js'
import {shardCount} from '../blocks/topology.js'

/**
 * Everything `shmr decode` needs to rebuild a file, carried in each block or shard file's name,
 * so that data outlives the metadata store. Grammar (docs/FORMAT.md, "Shard file names"):
 *
 *   i<fileId>.b<blockIndex>.z<blockSizeBytes>.g<generation>.<topology>.<role><roleIndex>.l<lengthBytes>.c<crc32c>.shard
 *
 * e.g. `i42.b7.z1048576.g1093.e4p2.d3.l1048576.c9a3f00e1.shard`. Numbers are decimal except the
 * CRC (8 lowercase hex digits). Only [a-z0-9.] appear, so names are safe on any Linux filesystem.
 */
export interface ShardName {
  /** The inode number: never reused, and unchanged by renames. */
  readonly fileId: number
  readonly blockIndex: number
  /** The file's block size when this block was written: block i starts at i × blockSizeBytes. */
  readonly blockSizeBytes: number
  /** Globally unique and increasing: of two copies of a block, the higher generation is newer. */
  readonly generation: number
  readonly topology: Topology
  /** Position in the block: data shards first (0…d-1), then parity (d…d+p-1); mirror copies 0…n-1. */
  readonly shardIndex: number
  /** The block's logical length; erasure data shards are zero-padded to ceil(length / d). */
  readonly lengthBytes: number
  /** CRC32C of this file's bytes. */
  readonly crc32c: number
}

const NAME_PATTERN =
  /^i(\d{1,16})\.b(\d{1,16})\.z(\d{1,10})\.g(\d{1,16})\.([a-z0-9]{1,12})\.([sdpm])(\d{1,3})\.l(\d{1,10})\.c([0-9a-f]{8})\.shard$/

function roleOf(topology: Topology, shardIndex: number): string {
  switch (topology.kind) {
    case 'single': return `s${shardIndex}`
    case 'mirror': return `m${shardIndex}`
    case 'erasure': return shardIndex < topology.data ? `d${shardIndex}` : `p${shardIndex - topology.data}`
  }
}

function shardIndexOf(topology: Topology, role: string, roleIndex: number): number | undefined {
  switch (topology.kind) {
    case 'single': return role === 's' && roleIndex === 0 ? 0 : undefined
    case 'mirror': return role === 'm' && roleIndex < topology.copies ? roleIndex : undefined
    case 'erasure':
      if (role === 'd' && roleIndex < topology.data) return roleIndex
      if (role === 'p' && roleIndex < topology.parity) return topology.data + roleIndex
      return undefined
  }
}

export function formatShardName(name: ShardName): string {
  if (name.shardIndex < 0 || name.shardIndex >= shardCount(name.topology)) {
    throw new ShmrError('BAD_ARGUMENT', `shard index ${name.shardIndex} does not exist in ${describeTopologyCode(name.topology)}`)
  }
  const crc = (name.crc32c >>> 0).toString(16).padStart(8, '0')
  return [
    `i${name.fileId}`, `b${name.blockIndex}`, `z${name.blockSizeBytes}`, `g${name.generation}`,
    describeTopologyCode(name.topology), roleOf(name.topology, name.shardIndex), `l${name.lengthBytes}`, `c${crc}`,
  ].join('.') + SHARD_FILE_EXTENSION
}

/** Parses a shard file name; undefined for anything that is not exactly one (decode skips those). */
export function parseShardName(fileName: string): ShardName | undefined {
  const match = NAME_PATTERN.exec(fileName)
  if (!match) return undefined
  const [, fileId, blockIndex, blockSize, generation, topologyCode, role, roleIndex, length, crc] = match
  const topology = parseTopologyCode(topologyCode!)
  if (!topology) return undefined
  const shardIndex = shardIndexOf(topology, role!, Number(roleIndex))
  const numbers = [fileId, blockIndex, blockSize, generation, length].map(Number)
  if (shardIndex === undefined || numbers.some((n) => !Number.isSafeInteger(n))) return undefined
  const parsed: ShardName = {
    fileId: numbers[0]!, blockIndex: numbers[1]!, blockSizeBytes: numbers[2]!, generation: numbers[3]!,
    topology, shardIndex, lengthBytes: numbers[4]!, crc32c: Number.parseInt(crc!, 16),
  }
  // Reject non-canonical spellings (leading zeros and the like): one name per shard.
  return formatShardName(parsed) === fileName ? parsed : undefined
}
