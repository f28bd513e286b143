import type {Inode, InodeKind} from '../meta/records.js'

/** File type bits of st_mode, as Linux defines them. */
export const FILE_TYPE_BITS: Readonly<Record<InodeKind, number>> = {
  dir: 0o040000,
  file: 0o100000,
  symlink: 0o120000,
  fifo: 0o010000,
  chardev: 0o020000,
  blockdev: 0o060000,
  socket: 0o140000,
}

/** A fresh inode with all three timestamps now and the link count its kind starts with. */
export function newInode(fields: {ino: number; kind: InodeKind; permissions: number; uid: number; gid: number; blockSizeBytes?: number; target?: string; parent?: number; rdev?: number}): Inode {
  const nowMs = Date.now()
  return {
    ino: fields.ino, kind: fields.kind, mode: FILE_TYPE_BITS[fields.kind] | (fields.permissions & 0o7777),
    uid: fields.uid, gid: fields.gid, nlink: fields.kind === 'dir' ? 2 : 1,
    sizeBytes: fields.target?.length ?? 0, // a byte name: one character per byte
    atimeMs: nowMs, mtimeMs: nowMs, ctimeMs: nowMs,
    ...(fields.blockSizeBytes === undefined ? {} : {blockSizeBytes: fields.blockSizeBytes}),
    ...(fields.target === undefined ? {} : {target: fields.target}),
    ...(fields.parent === undefined ? {} : {parent: fields.parent}),
    ...(fields.rdev === undefined ? {} : {rdev: fields.rdev}),
  }
}
