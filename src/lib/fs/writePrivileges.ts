import {GROUP_EXECUTE, SET_GROUP_ID, SET_USER_ID} from './modeBits.js'

/** The attribute holding a file's capabilities: a write removes it, whoever writes. */
export const CAPABILITY_XATTR = 'security.capability'

/**
 * The mode bits a write by `callerUid` takes off a file, as the kernel's FUSE code takes them for
 * the writes it sees (file_remove_privs): setuid, and setgid when group execute is set, unless
 * the caller may keep them (root, standing in for CAP_FSETID). An unknown caller keeps nothing.
 */
export function modeBitsDroppedByWrite(mode: number, callerUid: number | undefined): number {
  if (callerUid === 0) return 0
  const setgid = (mode & (SET_GROUP_ID | GROUP_EXECUTE)) === (SET_GROUP_ID | GROUP_EXECUTE) ? SET_GROUP_ID : 0
  return (mode & SET_USER_ID) | setgid
}
