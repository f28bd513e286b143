import type {FileData} from './fileData.js'

/** Bytes read and written at a time: a block's worth at the default block size. */
const PIECE_BYTES = 1024 * 1024

/**
 * Copies up to `length` bytes from one open file to another, through the cache as a read and a
 * write would (copy_file_range(2)); returns the bytes copied, fewer when the source ends first.
 * A piece read from a cached block is written from the block's lent buffer, not copied first.
 */
export async function copyRange(data: FileData, fromHandle: number, fromPosition: number, toHandle: number, toPosition: number,
  length: number): Promise<number> {
  const scratch = Buffer.allocUnsafe(Math.min(length, PIECE_BYTES))
  let done = 0
  while (done < length) {
    const got = await data.read(fromHandle, scratch, Math.min(scratch.length, length - done), fromPosition + done)
    const count = typeof got === 'number' ? got : got.count
    if (count === 0) break
    try {
      const source = typeof got === 'number' ? scratch : got.buffer.subarray(got.offset, got.offset + count)
      await data.write(toHandle, source, count, toPosition + done)
    } finally {
      if (typeof got !== 'number') data.endLoan(got.buffer)
    }
    done += count
  }
  return done
}
