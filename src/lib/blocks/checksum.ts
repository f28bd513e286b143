import {CHUNK_BYTES} from '../format/constants.js'
import {blocksAddon, type IoPriority} from '../native/blocksAddon.js'

/**
 * CRC32C (Castagnoli) of `bytes`, continuing from `previous` when given, on the calling thread:
 * for small inputs (names, headers, a file of one chunk). A whole shard read from a bucket goes
 * through `crc32cOfBlock`, files being recorded through `checksumsOf`.
 */
export function crc32c(bytes: Uint8Array, previous?: number): number {
  return blocksAddon().crc32cSync(bytes, previous) >>> 0
}

/** CRC32C of a block or shard, computed on the thread pool so the serving thread stays free. */
export async function crc32cOfBlock(bytes: Uint8Array): Promise<number> {
  return (await blocksAddon().crc32c(bytes)) >>> 0
}

/** A block or shard file's checksums: of the whole, and of each chunk when it has more than one. */
export interface FileChecksums {
  readonly crc32c: number
  readonly chunkCrcs?: Uint8Array
}

/**
 * The checksums a block or shard file of `bytes` is recorded with. A file of one chunk (a small
 * file's block) is summed on the calling thread: 0.4 us for 16 KiB, where a trip through the
 * thread pool took 30-44 us, ~19 of them on the serving thread (5,000 creates of 4 KiB files
 * spent 96 ms of it there). Larger ones go to the thread pool.
 */
export async function checksumsOf(bytes: Uint8Array, priority: IoPriority = 'normal'): Promise<FileChecksums> {
  if (bytes.byteLength <= CHUNK_BYTES) return {crc32c: crc32c(bytes)}
  const chunkCrcs = Buffer.alloc(4 * chunkCount(bytes.byteLength))
  return {crc32c: await blocksAddon().crc32cChunks(bytes, CHUNK_BYTES, chunkCrcs, priority === 'idle') >>> 0, chunkCrcs}
}

/** How many chunks a file of `lengthBytes` has. */
export function chunkCount(lengthBytes: number): number {
  return Math.ceil(lengthBytes / CHUNK_BYTES)
}
