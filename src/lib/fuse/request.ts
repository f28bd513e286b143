import {fromTimespec, type ExactTime} from '../format/exactTimes.js'
import {Arg} from './opcodes.js'

/**
 * One kernel request, its numbers copied out of the shared `args` array at dispatch (the next
 * request overwrites it). Which fields mean something depends on the operation.
 */
export interface Request {
  readonly op: number
  readonly id: number
  /** The inode the request is about, or the parent directory of `name`. */
  readonly ino: number
  /** rename's new parent, link's new parent. */
  readonly ino2: number
  readonly fh: number
  readonly offset: number
  /** copy_file_range's destination handle and offset. */
  readonly fh2: number
  readonly offset2: number
  readonly size: number
  readonly flags: number
  readonly mode: number
  readonly uid: number
  readonly gid: number
  readonly pid: number
  readonly umask: number
  readonly rdev: number
  readonly toSet: number
  readonly setMode: number
  readonly setUid: number
  readonly setGid: number
  readonly setSize: number
  readonly setAtime: ExactTime
  readonly setMtime: ExactTime
  readonly name: string | undefined
  readonly name2: string | undefined
  /**
   * A write's bytes, or setxattr's value: the binding's, not to be kept. A write's stay unchanged
   * until the request is released (FuseSession.release), even past its reply; setxattr's until the reply.
   */
  readonly data: Buffer | undefined
  /** The binding's receive buffer `data` lies in, or -1. */
  readonly dataBuffer: number
  /** Set by the first reply (or the timeout): a request is answered once; its id is then reused. */
  answered: boolean
}

/** `buffer`: the binding's buffer the request's bytes (SIZE of them) lie in, from DATA_OFFSET. */
export function requestOf(op: number, id: number, args: Float64Array, name: string | undefined, name2: string | undefined, buffer: Buffer | undefined): Request {
  const data = buffer?.subarray(args[Arg.DATA_OFFSET]!, args[Arg.DATA_OFFSET]! + args[Arg.SIZE]!)
  return {
    op, id, ino: args[Arg.INO]!, ino2: args[Arg.INO2]!, fh: args[Arg.FH]!, offset: args[Arg.OFFSET]!, fh2: args[Arg.FH2]!, offset2: args[Arg.OFFSET2]!, size: args[Arg.SIZE]!,
    flags: args[Arg.FLAGS]!, mode: args[Arg.MODE]!, uid: args[Arg.UID]!, gid: args[Arg.GID]!, pid: args[Arg.PID]!, umask: args[Arg.UMASK]!,
    rdev: args[Arg.RDEV]!, toSet: args[Arg.TO_SET]!, setMode: args[Arg.SET_MODE]!, setUid: args[Arg.SET_UID]!, setGid: args[Arg.SET_GID]!,
    setSize: args[Arg.SET_SIZE]!, setAtime: fromTimespec(args[Arg.SET_ATIME_S]!, args[Arg.SET_ATIME_NS]!),
    setMtime: fromTimespec(args[Arg.SET_MTIME_S]!, args[Arg.SET_MTIME_NS]!), name, name2, data, dataBuffer: args[Arg.DATA_BUFFER]!, answered: false,
  }
}
