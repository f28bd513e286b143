import {spawn} from 'node:child_process'
import fs from 'node:fs'
import {toJournal} from './serverLog.js'
import {isShmrError, ShmrError, type ShmrErrorCode} from '../lib/errors.js'
import {PRIVATE_FILE_MODE} from '../lib/format/constants.js'

/** The file descriptor on which a backgrounded server reports readiness (or its error) to its parent. */
const READY_FD = 3
export const READY_ENV = 'SHMR_READY_FD'

/**
 * Starts this same command again as a detached child (without --background), output appended to
 * `logFile` (or left on the journal), and waits until it reports that the mount is ready. Resolves
 * with its PID, where it logs, and what it logged while mounting (a dead mount cleared, files
 * reclaimed); rejects with the child's own error when it fails to mount.
 */
export async function detach(args: readonly string[], logFile: string): Promise<{pid: number; notes: string[]; logTo: string}> {
  // Started by systemd (shmr@.service), stderr is the journal: the server logs there instead,
  // stdout included, so that it holds no pipe of whoever started it open.
  const journal = toJournal()
  const logTo = journal ? 'the journal' : logFile
  const log = journal ? 2 : fs.openSync(logFile, 'a', PRIVATE_FILE_MODE)
  const child = spawn(process.execPath, [process.argv[1]!, ...args], {
    detached: true, stdio: ['ignore', log, log, 'pipe'], env: {...process.env, [READY_ENV]: String(READY_FD)},
  })
  if (log !== 2) fs.closeSync(log)
  // How it ended, for a server gone without a word (killed, or dead before it could report).
  const ended = new Promise<string>((resolve) => child.once('exit', (code, signal) => resolve(signal ? `killed by ${signal}` : `exit status ${code}`)))
  let report = ''
  child.stdio[READY_FD]!.on('data', (chunk: Buffer) => { report += chunk.toString() })
  await new Promise<void>((resolve) => child.stdio[READY_FD]!.on('close', () => resolve()))
  if (report.startsWith('ready ')) {
    child.unref()
    return {pid: child.pid!, notes: (JSON.parse(report.slice(6)) as {notes: string[]}).notes, logTo}
  }
  const failure = report.startsWith('error ') ? JSON.parse(report.slice(6)) as {code: ShmrErrorCode; message: string; hint?: string} : undefined
  throw failure
    ? new ShmrError(failure.code, failure.message, {hint: failure.hint})
    : new ShmrError('IO', `the background server exited before mounting (${await ended}); see ${logTo}`)
}

let reported = false

/**
 * In a backgrounded child: tell the parent the outcome, then let go of the pipe. Only the first
 * call is told: the pipe's descriptor number may name another file once it is closed.
 */
export function reportToParent(outcome: {ready: true; notes: readonly string[]} | {error: ShmrError}): void {
  const fd = Number(process.env[READY_ENV])
  if (!Number.isInteger(fd) || fd <= 0 || reported) return
  reported = true
  const line = 'ready' in outcome ? `ready ${JSON.stringify({notes: outcome.notes})}\n` : `error ${JSON.stringify({code: outcome.error.code, message: outcome.error.message, hint: outcome.error.hint})}\n`
  try {
    fs.writeSync(fd, line)
    fs.closeSync(fd)
  } catch {
    // The parent is gone; nothing to tell.
  }
}

/**
 * A failure to mount as the parent is told it: a ShmrError as it is; anything else (a crash the
 * server did not expect) by its message, so that the parent says why, not only that the server
 * exited (a bench run in CI once lost the why with its scratch directory, the log in it).
 */
export function mountFailure(error: unknown): ShmrError {
  if (isShmrError(error)) return error
  return new ShmrError('IO', `the server failed while mounting: ${error instanceof Error ? error.message : String(error)}`)
}
