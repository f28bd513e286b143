import {createRequire} from 'node:module'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {ShmrError} from '../errors.js'

/** Connection settings the binding applies when the kernel connects. */
export interface ConnectionSettings {
  readonly maxWrite: number
  readonly maxReadahead: number
  readonly maxBackground?: number
  readonly writebackCache?: boolean
  /** Extended attribute names whose lookups the binding may answer itself (see setAbsentXattrs). */
  readonly shortcutXattrs?: readonly string[]
}

/**
 * shmr's FUSE addon (native/fuse): libfuse 3's low-level API. Requests arrive through `dispatch`
 * on this thread, numbers in `args`; each is answered by one reply call with its id, attributes
 * in `attr`. A reply returns false when the request was answered already (it timed out).
 */
export interface FuseAddon {
  mount(mountpoint: string, fuseArgs: readonly string[], settings: ConnectionSettings,
    /** `data`: a buffer of the binding's holding a write's or setxattr's bytes, from args[DATA_OFFSET], args[SIZE] of them. */
    dispatch: (op: number, id: number, name: string | undefined, name2: string | undefined, data: Buffer | undefined) => void,
    onExit: (status: number) => void): {args: Float64Array; attr: Float64Array}
  destroy(): void
  replyErr(id: number, errno: number): boolean
  replyEntry(id: number): boolean
  replyAttr(id: number): boolean
  replyOpen(id: number, fh: number, flags: number): boolean
  replyCreate(id: number, fh: number, flags: number): boolean
  replyBuf(id: number, buffer: Buffer, offset: number, length: number): boolean
  /** As replyBuf, copied on another thread: `done` once the buffer is free again (not called when it returns false). */
  replyBufLater(id: number, buffer: Buffer, offset: number, length: number, done: () => void): boolean
  replyWrite(id: number, count: number): boolean
  /** A dispatched request is done with the receive buffer args[DATA_BUFFER] named (its bytes may change from now on). */
  releaseReceiveBuffer(index: number): void
  replyXattrSize(id: number, size: number): boolean
  replyReadlink(id: number, target: string): boolean
  replyStatfs(id: number, values: readonly number[]): boolean
  replyLseek(id: number, offset: number): boolean
  direntsAdd(id: number, name: string, nextOffset: number, plus: boolean): boolean
  replyDirents(id: number): boolean
  invalidateInode(ino: number): boolean
  /** Bit i set: no file carries shortcutXattrs[i], and the binding answers its lookups ENODATA itself. */
  setAbsentXattrs(mask: number): void
  /** Lets the process exit while the mount still exists (it keeps it alive until then). */
  unref(): void
  /** The binding reads `ino` itself from the layout in `plan` (readPlans.ts encodes it) until dropReadPlan. */
  setReadPlan(ino: number, plan: Buffer): void
  dropReadPlan(ino: number): void
  /** Reads the binding answered itself, their bytes, and how many of them came from the page cache, since it was loaded. */
  directReadCounts(): [number, number, number]
  /** Bytes the binding's own reads read from each drive since it was loaded: drive id, bytes, drive id, bytes, … */
  directReadDriveBytes(): number[]
}

/** Where install.sh builds the addon, from dist/src/lib/fuse/ up to the repository. */
const ADDON = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../native/fuse/build/Release/fuse.node')

let loaded: FuseAddon | undefined

export function fuseAddon(): FuseAddon {
  if (!loaded) {
    try {
      loaded = createRequire(import.meta.url)(ADDON) as FuseAddon
    } catch (error) {
      const message = (error as Error).message.split('\n')[0]!
      throw new ShmrError('UNAVAILABLE', `FUSE is not available: ${message}`, {
        hint: /libfuse/.test(message) ? 'install Debian\'s fuse3 package (it brings libfuse 3)' : 'build shmr\'s FUSE addon: scripts/install.sh (or npm run build:native)',
      })
    }
  }
  return loaded
}
