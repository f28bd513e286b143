import fs from 'node:fs'
import {ShmrError} from '../errors.js'

/**
 * A failed LMDB commit, as lmdb-js reports it: every write of the batch rejects with "Commit
 * failed", and the cause (ENOSPC, EIO) is a separate promise on the error, `commitError`. lmdb-js
 * attaches no handler to that promise, nor to the promise of the batch it starts each event turn
 * (kriszyp/lmdb-js#368, open): under Node's default those unhandled rejections end the process,
 * though every caller handled its own write. The server died so on the first commit that found
 * the metadata disk full.
 */
interface LmdbCommitFailure extends Error {
  readonly commitError: Promise<unknown>
}

function isCommitFailure(error: unknown): error is LmdbCommitFailure {
  return error instanceof Error && (error as Partial<LmdbCommitFailure>).commitError instanceof Promise
}

/**
 * What a transaction's failure means to the caller: a failed commit becomes NO_SPACE (the disk
 * holding `dir` is full) or IO, with its cause; anything else (a throw inside the transaction)
 * is passed on as it is.
 */
export async function explainCommitFailure(error: unknown, dir: string): Promise<unknown> {
  if (!isCommitFailure(error)) return error
  const cause = await error.commitError.then(() => undefined, (reason: unknown) => reason)
  const code = (cause as {code?: unknown} | undefined)?.code
  // LMDB says EIO for some writes to a full disk (growing its file on tmpfs, here): the free space tells.
  if (code === 28 || code === 'ENOSPC' || freeBytes(dir) < FULL_BELOW_BYTES) {
    return new ShmrError('NO_SPACE', `the metadata disk is full: ${dir}`, {cause, hint: 'free space on the disk that holds the metadata directory'})
  }
  return new ShmrError('IO', `the metadata store in ${dir} could not commit: ${(cause as Error | undefined)?.message ?? 'unknown cause'}`, {cause})
}

/** A disk with less room than this counts as full when a commit to it fails. */
const FULL_BELOW_BYTES = 4 * 1024 * 1024

function freeBytes(dir: string): number {
  try {
    const stats = fs.statfsSync(dir)
    return stats.bavail * stats.bsize
  } catch {
    return Number.POSITIVE_INFINITY
  }
}

let guarded = false

/**
 * Keeps lmdb-js's unhandleable rejections of a failed commit (see LmdbCommitFailure) from ending
 * the process: the failure reaches every transaction's caller through its own promise (as
 * explainCommitFailure's error). Handling one also handles its cause, reported after it. Any other
 * unhandled rejection is thrown on, as Node does itself.
 */
export function guardCommitFailures(): void {
  if (guarded) return
  guarded = true
  process.on('unhandledRejection', (reason) => {
    if (!isCommitFailure(reason)) throw reason
    reason.commitError.catch(() => {})
  })
}
