import {nanosPast} from '../format/exactTimes.js'
import type {Inode} from '../meta/records.js'

/** What getattr reports for an inode: the stored inode, with live size and times of open files. */
export interface Stat {
  readonly ino: number
  readonly mode: number
  readonly uid: number
  readonly gid: number
  readonly nlink: number
  /** Device nodes' device number; 0 for everything else. */
  readonly rdev: number
  readonly size: number
  /** 512-byte units, as st_blocks counts them. */
  readonly blocks: number
  readonly blksize: number
  readonly atimeMs: number
  readonly mtimeMs: number
  readonly ctimeMs: number
  /** Nanoseconds past atimeMs and mtimeMs (set to the nanosecond, see format/exactTimes.ts). */
  readonly atimeNs: number
  readonly mtimeNs: number
}

/** The I/O size reported to applications: the largest request the kernel sends through FUSE. */
export const PREFERRED_IO_BYTES = 128 * 1024

export function statOf(inode: Inode): Stat {
  return {
    ino: inode.ino, mode: inode.mode, uid: inode.uid, gid: inode.gid, nlink: inode.nlink, rdev: inode.rdev ?? 0,
    size: inode.sizeBytes, blocks: Math.ceil((inode.kind === 'file' ? inode.storedBytes ?? 0 : inode.sizeBytes) / 512), blksize: PREFERRED_IO_BYTES,
    atimeMs: inode.atimeMs, mtimeMs: inode.mtimeMs, ctimeMs: inode.ctimeMs,
    atimeNs: nanosPast(inode.atimeMs, inode.atimeNs), mtimeNs: nanosPast(inode.mtimeMs, inode.mtimeNs),
  }
}
