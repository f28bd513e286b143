import {blocksAddon} from '../native/blocksAddon.js'

/**
 * CRC32C (Castagnoli) of `bytes`, continuing from `previous` when given, on the calling thread:
 * for small inputs (names, headers). Whole blocks and shards go through `crc32cOfBlock`.
 */
export function crc32c(bytes: Uint8Array, previous?: number): number {
  return blocksAddon().crc32cSync(bytes, previous) >>> 0
}

/** CRC32C of a block or shard, computed on the thread pool so the serving thread stays free. */
export function crc32cOfBlock(bytes: Uint8Array): Promise<number> {
  return blocksAddon().crc32c(bytes)
}
