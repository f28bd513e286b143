import {toTimespec} from '../format/exactTimes.js'
import type {Stat} from '../fs/stat.js'
import {Attr} from './opcodes.js'

/**
 * How long the kernel may keep names and attributes without asking: shmr is the only writer while
 * mounted, every change goes through the kernel (which drops what it changes), and what shmr
 * changes by itself (a file's stored size as its blocks are written out) it invalidates. Before,
 * with the high-level API, every path walk and every read asked again (attr_timeout=0).
 */
export const CACHE_SECONDS = 3600

/** Writes `stat` into the binding's shared attribute array, with the cache timeouts. */
export function putAttributes(attr: Float64Array, stat: Stat): void {
  attr[Attr.INO] = stat.ino
  attr[Attr.MODE] = stat.mode
  attr[Attr.NLINK] = stat.nlink
  attr[Attr.UID] = stat.uid
  attr[Attr.GID] = stat.gid
  attr[Attr.RDEV] = stat.rdev
  attr[Attr.SIZE] = stat.size
  attr[Attr.BLOCKS] = stat.blocks
  attr[Attr.BLKSIZE] = stat.blksize
  putTime(attr, Attr.ATIME_S, stat.atimeMs, stat.atimeNs)
  putTime(attr, Attr.MTIME_S, stat.mtimeMs, stat.mtimeNs)
  putTime(attr, Attr.CTIME_S, stat.ctimeMs, 0)
  attr[Attr.GENERATION] = 0
  attr[Attr.ENTRY_TIMEOUT] = CACHE_SECONDS
  attr[Attr.ATTR_TIMEOUT] = CACHE_SECONDS
}

/** A negative entry: the name does not exist, and the kernel may remember that. */
export function putNoEntry(attr: Float64Array): void {
  attr.fill(0)
  attr[Attr.ENTRY_TIMEOUT] = CACHE_SECONDS
}

/** A time as seconds and nanoseconds, at slot `seconds` and the one after. */
function putTime(attr: Float64Array, seconds: number, ms: number, nsPast: number): void {
  const time = toTimespec(ms, nsPast)
  attr[seconds] = time.seconds
  attr[seconds + 1] = time.nanoseconds
}
