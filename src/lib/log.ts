/**
 * The server's log levels, most severe first. `mount.logLevel` keeps lines at its level and above;
 * under systemd each line carries its syslog priority, so `journalctl -p warning` filters too.
 */
export const LOG_LEVELS = ['error', 'warning', 'info', 'debug'] as const
export type LogLevel = typeof LOG_LEVELS[number]

/** syslog(3) priorities of the levels, as sd-daemon(3) line prefixes take them. */
export const SYSLOG_PRIORITY: Readonly<Record<LogLevel, number>> = {error: 3, warning: 4, info: 6, debug: 7}

/** Writes one line of the server's log at a level (info when not said). */
export type Log = (line: string, level?: LogLevel) => void
