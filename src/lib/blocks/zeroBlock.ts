const ZEROS = Buffer.alloc(1024 * 1024)

/**
 * True when every byte is zero. Such a block is a hole: it is not stored and reads back as zeros.
 * Compares against a shared zero page with memcmp, which is far faster than a byte loop.
 */
export function isAllZero(bytes: Uint8Array): boolean {
  const buffer = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  for (let offset = 0; offset < buffer.length; offset += ZEROS.length) {
    const end = Math.min(offset + ZEROS.length, buffer.length)
    if (ZEROS.compare(buffer, offset, end, 0, end - offset) !== 0) return false
  }
  return true
}
