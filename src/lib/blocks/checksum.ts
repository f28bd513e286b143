import {crc32c as nativeCrc32c} from '@node-rs/crc32'

/**
 * CRC32C (Castagnoli) of `bytes`, continuing from `previous` when given. The SIMD implementation
 * runs at several GB/s, so checksumming whole blocks on the hot path costs little.
 */
export function crc32c(bytes: Uint8Array, previous?: number): number {
  const buffer = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  return nativeCrc32c(buffer, previous) >>> 0
}

