import {getSystemErrorName} from 'node:util'
import {blocksAddon, type IoPriority} from '../native/blocksAddon.js'

/** Why a shard could not be used; undefined means it read back whole and checksummed right. */
export type ShardFault = 'drive unavailable' | 'missing' | 'wrong size' | 'checksum mismatch' | 'chunk checksums wrong' | `read error: ${string}`

/**
 * Reads a whole shard file into `target` (exactly its expected size) and checks its CRC32C, as
 * one job off the serving thread. Never throws for a bad shard: the caller decides whether the
 * block survives it.
 */
export async function readShardFile(file: string, target: Uint8Array, expectedCrc: number, priority: IoPriority = 'normal'): Promise<ShardFault | undefined> {
  return shardFault(await blocksAddon().readChecked(file, target, expectedCrc, priority === 'idle'))
}

/** The fault a status of the blocks addon's checked reads names, or undefined for none. */
export function shardFault(status: number): ShardFault | undefined {
  const addon = blocksAddon()
  if (status === 0) return undefined
  if (status === addon.STATUS_WRONG_SIZE) return 'wrong size'
  if (status === addon.STATUS_CHECKSUM_MISMATCH) return 'checksum mismatch'
  const code = getSystemErrorName(-status)
  return code === 'ENOENT' ? 'missing' : `read error: ${code}`
}
