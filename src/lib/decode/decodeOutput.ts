import fs from 'node:fs/promises'
import path from 'node:path'
import type {Writable} from 'node:stream'
import {isAllZero} from '../blocks/zeroBlock.js'
import {ShmrError} from '../errors.js'

/** Where decoded bytes go, in file order. */
export interface DecodeOutput {
  write(bytes: Buffer, position: number): Promise<void>
  /** `length` zero bytes at `position`: skipped (a hole) where the output can seek. */
  zeros(position: number, length: number): Promise<void>
  /** All written; `sizeBytes` is the file's length. Only now may the output become visible. */
  finish(sizeBytes: number): Promise<void>
  /** Given up: nothing misleading stays behind where that can be helped. */
  abandon(): Promise<void>
}

/** Zero runs this long inside a block are seeked over too, so a decoded disk image stays sparse. */
const SPARSE_GRAIN_BYTES = 64 * 1024

/**
 * Refuses a file path decode could not write to, before any shard is read: a directory, or a
 * file in a directory that does not exist. (Both failed with a raw system error, the directory
 * only once everything was decoded.)
 */
export async function checkOutputPath(target: string): Promise<void> {
  const stats = await fs.stat(target).catch(() => undefined)
  if (stats?.isDirectory()) {
    throw new ShmrError('BAD_ARGUMENT', `${target} is a directory`, {hint: `name the file to write, e.g. -o ${path.join(target, 'decoded')}`})
  }
  const dir = path.dirname(path.resolve(target))
  const parent = await fs.stat(dir).catch(() => undefined)
  if (!parent) throw new ShmrError('NOT_FOUND', `directory ${dir} does not exist`, {hint: `create it first (mkdir -p ${dir}), or write elsewhere`})
  if (!parent.isDirectory()) throw new ShmrError('NOT_DIR', `${dir} is not a directory`, {hint: 'write the file elsewhere'})
}

/**
 * A regular file, written under a temporary name beside it and renamed into place only once
 * complete, so a failed decode leaves nothing that looks like a result. Holes, and all-zero runs
 * inside blocks, are seeked over and the final length set with ftruncate: sparse stays sparse.
 * Fsynced before the rename unless `sync` is false.
 */
export async function fileOutput(target: string, options: {sync?: boolean} = {}): Promise<DecodeOutput> {
  const temp = `${target}.shmr-decode-${process.pid}`
  const handle = await fs.open(temp, 'wx')
  const writeAll = async (bytes: Buffer, position: number): Promise<void> => {
    let done = 0
    while (done < bytes.length) done += (await handle.write(bytes, done, bytes.length - done, position + done)).bytesWritten
  }
  return {
    write: async (bytes, position) => {
      // Coalesce consecutive non-zero grains into one write; skip the zero ones.
      let runStart = -1
      for (let offset = 0; offset <= bytes.length; offset += SPARSE_GRAIN_BYTES) {
        const grain = bytes.subarray(offset, offset + SPARSE_GRAIN_BYTES)
        const zero = grain.length === 0 || isAllZero(grain)
        if (!zero && runStart < 0) runStart = offset
        if (zero && runStart >= 0) {
          await writeAll(bytes.subarray(runStart, offset), position + runStart)
          runStart = -1
        }
      }
      if (runStart >= 0) await writeAll(bytes.subarray(runStart), position + runStart)
    },
    zeros: async () => {},
    finish: async (sizeBytes) => {
      await handle.truncate(sizeBytes)
      // A tree of files (decode --tree) syncs its filesystem once at the end instead.
      if (options.sync ?? true) await handle.sync()
      await handle.close()
      await fs.rename(temp, target)
    },
    abandon: async () => {
      await handle.close().catch(() => {})
      await fs.rm(temp, {force: true})
    },
  }
}

const ZERO_CHUNK = Buffer.alloc(1024 * 1024)

/**
 * A stream (stdout): bytes in order, holes as zeros. Each write resolves once the stream has
 * handed its bytes on, so the caller may refill the buffer then: no copy of every block.
 */
export function streamOutput(stream: Writable): DecodeOutput {
  let written = 0
  const push = async (bytes: Buffer): Promise<void> => {
    written += bytes.length
    await new Promise<void>((resolve, reject) => stream.write(bytes, (error) => (error ? reject(error) : resolve())))
  }
  const zeros = async (length: number): Promise<void> => {
    for (let left = length; left > 0; left -= ZERO_CHUNK.length) await push(ZERO_CHUNK.subarray(0, Math.min(left, ZERO_CHUNK.length)))
  }
  return {
    // A stream cannot seek: bytes arrive in order, and any gap is a hole to fill.
    write: async (bytes, position) => {
      await zeros(position - written)
      await push(bytes)
    },
    zeros: async (position, length) => zeros(position + length - written),
    finish: async (sizeBytes) => zeros(sizeBytes - written),
    abandon: async () => {},
  }
}
