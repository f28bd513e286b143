/**
 * The numbers native/fuse/fuse.c and this adapter share: operation codes, and the slots of the two
 * Float64Arrays through which numbers cross (`args`: a request's, `attr`: a reply's attributes).
 * They must match the enums at the top of fuse.c.
 */
export const enum Op {
  LOOKUP = 1, GETATTR, SETATTR, READLINK, MKNOD, MKDIR, UNLINK, RMDIR, SYMLINK, RENAME, LINK, OPEN, READ, WRITE, RELEASE, FSYNC,
  OPENDIR, READDIR, RELEASEDIR, FSYNCDIR, STATFS, SETXATTR, GETXATTR, LISTXATTR, REMOVEXATTR, ACCESS, CREATE, READDIRPLUS,
  LSEEK, FALLOCATE, COPY_FILE_RANGE,
}

export const enum Arg {
  INO, INO2, FH, OFFSET, SIZE, FLAGS, MODE, UID, GID, PID, UMASK, RDEV, TO_SET, SET_MODE, SET_UID, SET_GID,
  SET_SIZE, SET_ATIME_S, SET_ATIME_NS, SET_MTIME_S, SET_MTIME_NS, DATASYNC,
  /** Where a write's bytes (SIZE of them) start in the buffer the binding hands over. */
  DATA_OFFSET,
  /** The binding's receive buffer a write's bytes are in (-1: none), to give back once done (FuseSession.release). */
  DATA_BUFFER,
  /** copy_file_range's destination: its handle and offset (its inode is INO2). */
  FH2, OFFSET2,
}

export const enum Attr {
  INO, MODE, NLINK, UID, GID, RDEV, SIZE, BLOCKS, BLKSIZE, ATIME_S, ATIME_NS, MTIME_S, MTIME_NS, CTIME_S, CTIME_NS, GENERATION,
  ENTRY_TIMEOUT, ATTR_TIMEOUT,
}

/** Flags of replyOpen and replyCreate. */
export const OPEN_DIRECT_IO = 1
export const OPEN_KEEP_CACHE = 2
/** A directory's listing may stay in the kernel's cache (FOPEN_CACHE_DIR). */
export const OPEN_CACHE_DIR = 4

/** setattr's `toSet` bits (FUSE_SET_ATTR_*). */
export const SET_MODE = 1 << 0
export const SET_UID = 1 << 1
export const SET_GID = 1 << 2
export const SET_SIZE = 1 << 3
export const SET_ATIME = 1 << 4
export const SET_MTIME = 1 << 5
export const SET_ATIME_NOW = 1 << 7
export const SET_MTIME_NOW = 1 << 8
