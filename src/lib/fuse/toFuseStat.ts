import type {Stat} from '../fs/stat.js'

/** The stat object fuse-native packs into struct stat (times as milliseconds). */
export function toFuseStat(stat: Stat): Record<string, number> {
  return {
    mode: stat.mode, uid: stat.uid, gid: stat.gid, size: stat.size, nlink: stat.nlink, ino: stat.ino, rdev: 0,
    blksize: stat.blksize, blocks: stat.blocks, atime: stat.atimeMs, mtime: stat.mtimeMs, ctime: stat.ctimeMs,
  }
}
