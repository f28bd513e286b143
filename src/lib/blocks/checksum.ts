import {crc32cHere, crc32cOffThread} from '../blockio/blockIo.js'

/**
 * CRC32C (Castagnoli) of `bytes`, continuing from `previous` when given, on the calling thread:
 * for small inputs (names, headers). Whole blocks and shards go through `crc32cOfBlock`.
 */
export function crc32c(bytes: Uint8Array, previous?: number): number {
  return crc32cHere(bytes, previous) >>> 0
}

/** CRC32C of a block or shard, computed on the thread pool so the serving thread stays free. */
export function crc32cOfBlock(bytes: Uint8Array): Promise<number> {
  return crc32cOffThread(bytes)
}
