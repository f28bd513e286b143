import {constants} from 'node:os'
import {isShmrError, type ShmrErrorCode} from '../errors.js'

const E = constants.errno

/** The one place ShmrError codes become errno values. Exhaustive: a new code must be mapped here. */
export const ERRNO_OF: Readonly<Record<ShmrErrorCode, number>> = {
  BAD_ARGUMENT: E.EINVAL,
  BAD_CONFIG: E.EINVAL,
  BUSY: E.EBUSY,
  CORRUPT: E.EIO,
  DRIVE_FOREIGN: E.EIO,
  DRIVE_MISPLACED: E.EIO,
  DRIVE_MISSING: E.EIO,
  EXISTS: E.EEXIST,
  FORMAT_TOO_NEW: E.EIO,
  FORMAT_TOO_OLD: E.EIO,
  FILE_TOO_LARGE: E.EFBIG,
  FS_EXISTS: E.EEXIST,
  IO: E.EIO,
  IS_DIR: E.EISDIR,
  LOCKED: E.EBUSY,
  NAME_TOO_LONG: E.ENAMETOOLONG,
  NOT_DIR: E.ENOTDIR,
  NOT_EMPTY: E.ENOTEMPTY,
  NOT_FOUND: E.ENOENT,
  NOT_INITIALISED: E.EIO,
  NOT_PERMITTED: E.EPERM,
  NO_DATA_PAST: E.ENXIO,
  NO_SPACE: E.ENOSPC,
  NO_XATTR: E.ENODATA,
  PERMISSION_DENIED: E.EACCES,
  UNAVAILABLE: E.EOPNOTSUPP,
}

/** errno for any error: ShmrError by code, a system error by its own code, anything else EIO. */
export function errnoOf(error: unknown): {errno: number; expected: boolean} {
  if (isShmrError(error)) return {errno: ERRNO_OF[error.code], expected: error.code !== 'IO' && error.code !== 'CORRUPT'}
  const code = (error as NodeJS.ErrnoException | undefined)?.code
  const errno = code === undefined ? undefined : (E as Record<string, number | undefined>)[code]
  return errno === undefined ? {errno: E.EIO, expected: false} : {errno, expected: false}
}
