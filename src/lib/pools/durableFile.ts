import fs from 'node:fs/promises'
import path from 'node:path'
import {syncPath, writeNewFile} from '../blockio/blockIo.js'

/**
 * The durability primitives: write-once files and fsyncs (each one job off the serving thread, in
 * the block I/O addon), and atomic replacement built on them.
 */
export {syncPath, writeNewFile}

/** Replaces (or creates) `file` atomically: temp file, fsync, rename, fsync of the directory. */
export async function replaceFile(file: string, bytes: Uint8Array): Promise<void> {
  const temp = `${file}.tmp-${process.pid}`
  await fs.rm(temp, {force: true})
  await writeNewFile(temp, bytes)
  await fs.rename(temp, file)
  await syncPath(path.dirname(file))
}
