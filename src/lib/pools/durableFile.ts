import fs from 'node:fs/promises'
import path from 'node:path'

/**
 * fsyncs a file (its data and metadata) or a directory (so that entries created or removed in it
 * survive a crash).
 */
export async function syncPath(target: string): Promise<void> {
  const handle = await fs.open(target, 'r')
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}

/**
 * Writes `bytes` to a new file that must not exist yet (write-once: nothing is ever overwritten
 * in place), fsyncs it unless `sync` is false, and closes it. The caller fsyncs the directory.
 */
export async function writeNewFile(file: string, bytes: Uint8Array, sync = true): Promise<void> {
  const handle = await fs.open(file, 'wx')
  try {
    let offset = 0
    while (offset < bytes.byteLength) {
      const {bytesWritten} = await handle.write(bytes, offset, bytes.byteLength - offset, offset)
      offset += bytesWritten
    }
    if (sync) await handle.sync()
  } finally {
    await handle.close()
  }
}

/** Replaces (or creates) `file` atomically: temp file, fsync, rename, fsync of the directory. */
export async function replaceFile(file: string, bytes: Uint8Array): Promise<void> {
  const temp = `${file}.tmp-${process.pid}`
  await fs.rm(temp, {force: true})
  await writeNewFile(temp, bytes)
  await fs.rename(temp, file)
  await syncPath(path.dirname(file))
}
