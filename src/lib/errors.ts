/**
 * The one error type the library throws for what the world does wrong (bad input, missing drives,
 * damaged data). Programmer errors are `node:assert` failures instead.
 *
 * Codes are stable: the FUSE adapter maps each to an errno (src/lib/fuse/errno.ts) and the CLI maps
 * each to a documented exit code (src/cli/exitCodes.ts, docs/CLI_ABI.md). Both maps are exhaustive
 * records, so a new code does not compile until it is mapped.
 */
export const SHMR_ERROR_CODES = [
  'BAD_ARGUMENT',
  'BAD_CONFIG',
  'BUSY',
  'CORRUPT',
  'DRIVE_FOREIGN',
  'DRIVE_MISPLACED',
  'DRIVE_MISSING',
  'EXISTS',
  'FORMAT_TOO_NEW',
  'FORMAT_TOO_OLD',
  'FILE_TOO_LARGE',
  'FS_EXISTS',
  'IO',
  'IS_DIR',
  'LOCKED',
  'NAME_TOO_LONG',
  'NOT_DIR',
  'NOT_EMPTY',
  'NOT_FOUND',
  'NOT_INITIALISED',
  'NOT_PERMITTED',
  'NO_DATA_PAST',
  'NO_SPACE',
  'NO_XATTR',
  'PERMISSION_DENIED',
  'UNAVAILABLE',
] as const

export type ShmrErrorCode = (typeof SHMR_ERROR_CODES)[number]

export class ShmrError extends Error {
  readonly code: ShmrErrorCode
  /** What the user can do about it, one line; shown after the message by the CLI. */
  readonly hint?: string
  /** Further lines (e.g. one per config problem); the message is their summary. */
  readonly details: readonly string[]

  constructor(code: ShmrErrorCode, message: string, options: {hint?: string; details?: string[]; cause?: unknown} = {}) {
    super(message, {cause: options.cause})
    this.name = 'ShmrError'
    this.code = code
    this.hint = options.hint
    this.details = options.details ?? []
  }
}

export function isShmrError(error: unknown, code?: ShmrErrorCode): error is ShmrError {
  return error instanceof ShmrError && (code === undefined || error.code === code)
}

/** The Node errno code of a system error (`ENOENT`, `ENOSPC`…), or undefined. */
export function systemErrorCode(error: unknown): string | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code
  return typeof code === 'string' ? code : undefined
}
