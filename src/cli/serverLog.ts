import fs from 'node:fs'
import type {Log} from '../lib/fuse/context.js'

/** The most the server's log file grows to before it starts again from empty. */
export const LOG_MAX_BYTES = 16 * 1024 * 1024
/** How many lines are written between checks of the log file's size. */
const LINES_PER_SIZE_CHECK = 256

const STDERR = 2

/**
 * The server's log: timestamped lines to stderr, which `mount --background` points at
 * METADATA/mount.log. It never takes the server down and never fills its disk: a line that
 * cannot be written (that disk is full) is dropped and counted, and the count is said once
 * writing works again; a log file past LOG_MAX_BYTES is emptied, with a line saying so. (Before,
 * a write error on stderr was an uncaught exception, and a failing flush logged without bound
 * into the metadata directory.)
 */
export function serverLog(): Log {
  let dropped = 0
  let sinceSizeCheck = 0
  const write = (text: string): boolean => {
    try {
      fs.writeSync(STDERR, text)
      return true
    } catch {
      return false
    }
  }
  const keepSmall = (): void => {
    try {
      const stats = fs.fstatSync(STDERR)
      if (stats.isFile() && stats.size > LOG_MAX_BYTES) {
        fs.ftruncateSync(STDERR, 0)
        write(`${new Date().toISOString()} log emptied: it passed ${LOG_MAX_BYTES} bytes\n`)
      }
    } catch {
      // Not a file we may resize: nothing to keep small.
    }
  }
  return (line) => {
    if (++sinceSizeCheck >= LINES_PER_SIZE_CHECK) {
      sinceSizeCheck = 0
      keepSmall()
    }
    const now = new Date().toISOString()
    if (dropped > 0 && write(`${now} ${dropped} log line(s) dropped: the log could not be written\n`)) dropped = 0
    if (!write(`${now} ${line}\n`)) dropped++
  }
}
