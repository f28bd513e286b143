import type {VerifyReport} from '../lib/verify/runVerify.js'
import type {ShmrErrorCode} from '../lib/errors.js'

/**
 * Exit codes are a stable interface for scripts (docs/CLI_ABI.md). A code is never reused for
 * another meaning; new meanings get new numbers.
 */
export const EXIT = {
  OK: 0,
  INTERNAL: 1,
  USAGE: 2,
  STATE: 3,
  DRIVE: 4,
  DAMAGED: 5,
  NO_SPACE: 6,
  IO: 7,
  /** verify: everything is readable, but redundancy is reduced or the metadata is inconsistent. */
  DEGRADED: 8,
} as const

export const EXIT_CODE_OF: Readonly<Record<ShmrErrorCode, number>> = {
  BAD_ARGUMENT: EXIT.USAGE,
  BAD_CONFIG: EXIT.USAGE,
  BUSY: EXIT.STATE,
  CORRUPT: EXIT.DAMAGED,
  DRIVE_FOREIGN: EXIT.DRIVE,
  DRIVE_MISPLACED: EXIT.DRIVE,
  DRIVE_MISSING: EXIT.DRIVE,
  EXISTS: EXIT.STATE,
  FORMAT_TOO_NEW: EXIT.STATE,
  FORMAT_TOO_OLD: EXIT.STATE,
  FILE_TOO_LARGE: EXIT.USAGE,
  FS_EXISTS: EXIT.STATE,
  IO: EXIT.IO,
  IS_DIR: EXIT.USAGE,
  LOCKED: EXIT.STATE,
  NAME_TOO_LONG: EXIT.USAGE,
  NOT_DIR: EXIT.USAGE,
  NOT_EMPTY: EXIT.STATE,
  NOT_FOUND: EXIT.USAGE,
  NOT_INITIALISED: EXIT.STATE,
  NOT_PERMITTED: EXIT.STATE,
  NO_DATA_PAST: EXIT.USAGE,
  NO_SPACE: EXIT.NO_SPACE,
  NO_XATTR: EXIT.USAGE,
  PERMISSION_DENIED: EXIT.STATE,
  UNAVAILABLE: EXIT.STATE,
}

/** A verify report's exit status: DAMAGED when a file cannot be read, DEGRADED when one lost redundancy or the metadata is inconsistent. */
export function exitCodeOfVerify(report: VerifyReport): number | undefined {
  const inconsistent = report.metadata !== undefined && (report.metadata.danglingEntries.length > 0 || report.metadata.wrongLinkCounts.length > 0 || report.metadata.unreachableInodes.length > 0)
  if (report.summary.damaged > 0) return EXIT.DAMAGED
  return report.summary.degraded > 0 || inconsistent ? EXIT.DEGRADED : undefined
}
