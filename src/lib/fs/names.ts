import {ShmrError} from '../errors.js'
import {NAME_MAX_BYTES} from '../format/constants.js'

/** Checks one directory entry name (a byte name, see format/byteNames.ts) as Linux would before creating it. */
export function checkName(name: string): void {
  if (name === '' || name === '.' || name === '..' || name.includes('/') || name.includes('\0')) {
    throw new ShmrError('BAD_ARGUMENT', `"${name}" is not a valid file name`)
  }
  if (name.length > NAME_MAX_BYTES) {
    throw new ShmrError('NAME_TOO_LONG', `a file name may be at most ${NAME_MAX_BYTES} bytes`)
  }
}
