import fs from 'node:fs'
import {LOG_LEVELS, SYSLOG_PRIORITY, type Log, type LogLevel} from '../lib/log.js'

/** The most the server's log file grows to before it starts again from empty. */
export const LOG_MAX_BYTES = 16 * 1024 * 1024
/** How many lines are written between checks of the log file's size. */
const LINES_PER_SIZE_CHECK = 256

const STDERR = 2

/**
 * Whether stderr is systemd's journal: systemd sets JOURNAL_STREAM to its device and inode
 * (systemd.exec(5)), and only stderr itself, not a redirection of it, matches.
 */
export function toJournal(): boolean {
  const stream = process.env.JOURNAL_STREAM
  if (!stream) return false
  try {
    const stats = fs.fstatSync(STDERR)
    return stream === `${stats.dev}:${stats.ino}`
  } catch {
    return false
  }
}

/**
 * The server's log: lines at `level` and above to stderr, which `mount --background` points at
 * METADATA/mount.log. In a file or a terminal each line starts with its time, and with its level
 * unless info; in the journal with its syslog priority (`<4>`), the journal keeping the time.
 *
 * It never takes the server down and never fills its disk: a line that cannot be written (that
 * disk is full) is dropped and counted, and the count is said once writing works again; a log
 * file past LOG_MAX_BYTES is emptied, with a line saying so. (Before, a write error on stderr was
 * an uncaught exception, and a failing flush logged without bound into the metadata directory.)
 */
export function serverLog(level: LogLevel = 'info'): Log {
  const journal = toJournal()
  const shown = new Set(LOG_LEVELS.slice(0, LOG_LEVELS.indexOf(level) + 1))
  let dropped = 0
  let sinceSizeCheck = 0
  const format = (line: string, lineLevel: LogLevel): string => {
    if (journal) return `<${SYSLOG_PRIORITY[lineLevel]}>${line}\n`
    return `${new Date().toISOString()} ${lineLevel === 'info' ? '' : `${lineLevel}: `}${line}\n`
  }
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
        write(format(`log emptied: it passed ${LOG_MAX_BYTES} bytes`, 'warning'))
      }
    } catch {
      // Not a file we may resize: nothing to keep small.
    }
  }
  return (line, lineLevel = 'info') => {
    if (!shown.has(lineLevel)) return
    if (++sinceSizeCheck >= LINES_PER_SIZE_CHECK) {
      sinceSizeCheck = 0
      keepSmall()
    }
    if (dropped > 0 && write(format(`${dropped} log line(s) dropped: the log could not be written`, 'warning'))) dropped = 0
    if (!write(format(line, lineLevel))) dropped++
  }
}
