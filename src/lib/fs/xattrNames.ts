import {ShmrError} from '../errors.js'

/** Linux limits (XATTR_NAME_MAX, XATTR_SIZE_MAX). */
export const XATTR_NAME_MAX_BYTES = 255
export const XATTR_VALUE_MAX_BYTES = 65536
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
}
