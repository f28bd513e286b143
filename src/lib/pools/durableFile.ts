import fs from 'node:fs/promises'
import path from 'node:path'
import {blocksAddon, throwIfFailed, type IoPriority} from '../native/blocksAddon.js'

/**
 * Writes `bytes` to a new file that must not exist yet (write-once: nothing is ever overwritten
 * in place), fsynced unless `sync` is false, as one job off the serving thread. On failure
 * nothing of the file stays behind. The caller fsyncs the directory.
 */
export async function writeNewFile(file: string, bytes: Uint8Array, sync = true, priority: IoPriority = 'normal'): Promise<void> {
  throwIfFailed(await blocksAddon().writeNew(file, bytes, sync, priority === 'idle'), 'open', file)
}

/**
 * fsyncs a file (its data and metadata) or a directory (so that entries created or removed in it
 * survive a crash).
 */
export async function syncPath(target: string, priority: IoPriority = 'normal'): Promise<void> {
  throwIfFailed(await blocksAddon().syncPath(target, false, priority === 'idle'), 'fsync', target)
}

/**
 * syncfs(2) of the filesystem holding `dir`: everything written to it so far durable, in one
 * journal commit, where an fsync per file costs one each.
 */
export async function syncFilesystem(dir: string, priority: IoPriority = 'normal'): Promise<void> {
  throwIfFailed(await blocksAddon().syncPath(dir, true, priority === 'idle'), 'syncfs', dir)
}

/** Replaces (or creates) `file` atomically: temp file, fsync, rename, fsync of the directory. */
export async function replaceFile(file: string, bytes: Uint8Array, priority: IoPriority = 'normal'): Promise<void> {
  const temp = `${file}.tmp-${process.pid}`
  await fs.rm(temp, {force: true})
  await writeNewFile(temp, bytes, true, priority)
  await fs.rename(temp, file)
  await syncPath(path.dirname(file), priority)
}
