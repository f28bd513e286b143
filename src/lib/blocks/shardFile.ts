import fs from 'node:fs/promises'
import {systemErrorCode} from '../errors.js'
import {crc32c} from './checksum.js'

/** Why a shard could not be used; undefined means it read back whole and checksummed right. */
export type ShardFault = 'drive unavailable' | 'missing' | 'wrong size' | 'checksum mismatch' | `read error: ${string}`

/**
 * Reads a whole shard file into `target` (exactly its expected size) and checks its CRC32C.
 * Never throws for a bad shard: the caller decides whether the block survives it.
 */
export async function readShardFile(file: string, target: Uint8Array, expectedCrc: number): Promise<ShardFault | undefined> {
  let handle: fs.FileHandle
  try {
    handle = await fs.open(file, 'r')
  } catch (error) {
    return systemErrorCode(error) === 'ENOENT' ? 'missing' : `read error: ${systemErrorCode(error) ?? (error as Error).message}`
  }
  try {
    const {size} = await handle.stat()
    if (size !== target.byteLength) return 'wrong size'
    let offset = 0
    while (offset < target.byteLength) {
      const {bytesRead} = await handle.read(target, offset, target.byteLength - offset, offset)
      if (bytesRead === 0) return 'wrong size'
      offset += bytesRead
    }
    return crc32c(target) === expectedCrc ? undefined : 'checksum mismatch'
  } catch (error) {
    return `read error: ${systemErrorCode(error) ?? (error as Error).message}`
  } finally {
    await handle.close()
  }
}
