import fs from 'node:fs/promises'
import {findMount} from './mountTable.js'

/** A FUSE mount's read-ahead window until someone changes it (VM_READAHEAD_PAGES). */
const KERNEL_DEFAULT_BYTES = 128 * 1024

export interface ReadAheadResult {
  /** The window now in force. */
  readonly bytes: number
  /** Why the window asked for could not be set (not root, no sysfs). */
  readonly problem?: string
}

/**
 * Sets the kernel's read-ahead window for a FUSE mount. A FUSE mount starts at 128 KiB, and
 * libfuse can only lower it at init, so a sequential reader's requests stop at 128 KiB, one round
 * trip each. The window lives in /sys/class/bdi/MAJOR:MINOR/read_ahead_kb, keyed by the mount's
 * st_dev (taken from mountinfo, not stat: a stat of our own mount from the serving thread would
 * wait on itself). With a window of a few MiB the kernel sends requests of max_pages (1 MiB),
 * several in flight. mergerfs's `readahead` option sets the same file.
 *
 * The mount works either way; when the window cannot be set, sequential reads come in 128 KiB.
 */
export async function setKernelReadAhead(mountpoint: string, bytes: number): Promise<ReadAheadResult> {
  const mount = await findMount(mountpoint)
  if (!mount) return {bytes: KERNEL_DEFAULT_BYTES, problem: `${mountpoint} is not in the mount table`}
  const file = `/sys/class/bdi/${mount.device}/read_ahead_kb`
  try {
    await fs.writeFile(file, `${Math.floor(bytes / 1024)}\n`)
    return {bytes: Number.parseInt(await fs.readFile(file, 'utf8'), 10) * 1024}
  } catch (error) {
    const current = await fs.readFile(file, 'utf8').then((text) => Number.parseInt(text, 10) * 1024, () => KERNEL_DEFAULT_BYTES)
    return {bytes: current, problem: `cannot write ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`}
  }
}
