import {readFileChecked} from '../blockio/blockIo.js'

/** Why a shard could not be used; undefined means it read back whole and checksummed right. */
export type ShardFault = 'drive unavailable' | 'missing' | 'wrong size' | 'checksum mismatch' | `read error: ${string}`

/**
 * Reads a whole shard file into `target` (exactly its expected size) and checks its CRC32C, as
 * one job off the serving thread. Never throws for a bad shard: the caller decides whether the
 * block survives it.
 */
export function readShardFile(file: string, target: Uint8Array, expectedCrc: number): Promise<ShardFault | undefined> {
  return readFileChecked(file, target, expectedCrc)
}
