import {fileURLToPath} from 'node:url'
import {execa} from 'execa'
import {isShmrError, ShmrError, SHMR_ERROR_CODES, type ShmrErrorCode} from '../errors.js'
import {MetaStore} from './metaStore.js'

const PROBE_FILE = fileURLToPath(import.meta.url)
const RESTORE_HINT = 'restore the metadata directory from a backup; meanwhile `shmr decode` rebuilds files from the drives\' shard files alone'

/**
 * Reads the whole metadata store in a child process before a mount or verify trusts it. LMDB
 * trusts its pages: random bytes in a tree page made it read out of bounds, and the process died
 * in SIGSEGV with no message. Here the child dies instead, and the caller refuses with one line.
 * Costs a process start and one read of every record (a few seconds for millions). With `write`
 * (the caller is about to write: no one else has the store open), it also commits one small
 * change, which reads LMDB's list of free pages: a damaged one crashed the first write.
 */
export async function probeStore(dir: string, options: {write: boolean}): Promise<void> {
  const result = await execa(process.execPath, [PROBE_FILE, dir, options.write ? 'write' : 'read'], {reject: false, stdin: 'ignore'})
  if (result.exitCode === 0) return
  if (result.signal) {
    throw new ShmrError('CORRUPT', `the metadata store in ${dir} is damaged: reading it crashed LMDB (${result.signal})`, {hint: RESTORE_HINT})
  }
  const report = parseReport(String(result.stdout))
  throw new ShmrError(report?.code ?? 'CORRUPT', report?.message ?? `the metadata store in ${dir} could not be read: ${String(result.stderr).split('\n')[0]}`,
    {hint: report?.hint ?? RESTORE_HINT})
}

function parseReport(text: string): {code: ShmrErrorCode; message: string; hint?: string} | undefined {
  try {
    const report = JSON.parse(text) as {code?: unknown; message?: unknown; hint?: unknown}
    if (!SHMR_ERROR_CODES.includes(report.code as ShmrErrorCode) || typeof report.message !== 'string') return undefined
    return {code: report.code as ShmrErrorCode, message: report.message, hint: typeof report.hint === 'string' ? report.hint : undefined}
  } catch {
    return undefined
  }
}

/** The child: opens the store, reads every record (and rewrites the superblock as it is), says what failed as JSON. */
async function probe(dir: string, write: boolean): Promise<number> {
  let store: MetaStore | undefined
  try {
    store = await MetaStore.open(dir, {readOnly: !write})
    const {unreadable} = store.readEvery()
    if (unreadable.length === 0) {
      if (write) await store.rewriteSuperblock()
      return 0
    }
    process.stdout.write(JSON.stringify({code: 'CORRUPT', message: `the metadata store in ${dir} is damaged: ${unreadable.join('; ')}`, hint: RESTORE_HINT}))
    return 1
  } catch (error) {
    // An older format is migrated by the caller's own open; the probe has nothing to say of it.
    if (isShmrError(error, 'FORMAT_TOO_OLD')) return 0
    const report = isShmrError(error) ? {code: error.code, message: error.message, hint: error.hint}
      : {code: 'CORRUPT', message: `the metadata store in ${dir} could not be read: ${(error as Error).message.split('\n')[0]}`}
    process.stdout.write(JSON.stringify(report))
    return 1
  } finally {
    await store?.close().catch(() => {})
  }
}

if (process.argv[1] === PROBE_FILE) process.exitCode = await probe(process.argv[2]!, process.argv[3] === 'write')
