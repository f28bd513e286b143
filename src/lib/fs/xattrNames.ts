import {ShmrError} from '../errors.js'

/** Linux limits (XATTR_NAME_MAX, XATTR_SIZE_MAX, XATTR_LIST_MAX). */
export const XATTR_NAME_MAX_BYTES = 255
export const XATTR_VALUE_MAX_BYTES = 65536
/** The most a listxattr answers: a file's names, each with its NUL, must fit (ENOSPC past it, as ext4 runs out of room sooner). */
export const XATTR_LIST_MAX_BYTES = 65536
/**
 * Computed, read-only, never stored nor listed (so cp -a and rsync -X do not copy it): where a
 * file's data is, as the JSON of inspect/fileLocation.ts (docs/CLI_ABI.md).
 */
export const LOCATION_XATTR = 'user.shmr.location'
/** setxattr flags. */
export const XATTR_CREATE = 1
export const XATTR_REPLACE = 2

/**
 * Namespaces stored as plain data. `system.*` (POSIX ACLs and the like) means something to the
 * kernel that shmr does not implement, so it is refused rather than stored and ignored.
 */
export function checkXattrName(name: string): void {
  if (!/^(user|trusted|security)\.[^\0]+$/.test(name)) {
    throw new ShmrError('UNAVAILABLE', `extended attribute ${name} is not supported (only user., trusted. and security.)`)
  }
  if (name.length > XATTR_NAME_MAX_BYTES) throw new ShmrError('NAME_TOO_LONG', 'extended attribute name too long')
  if (name === LOCATION_XATTR) throw new ShmrError('NOT_PERMITTED', `${LOCATION_XATTR} is computed by shmr and cannot be set`)
}
