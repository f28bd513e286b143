import {createRequire} from 'node:module'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {getSystemErrorName} from 'node:util'
import {ShmrError} from '../errors.js'

/**
 * shmr's blocks addon (native/blocks): the work on whole blocks and shards, each call that
 * returns a promise one job off the JavaScript thread (which answers FUSE), which only starts it
 * and takes the result: file I/O and checksums on libuv's thread pool, erasure coding on the
 * addon's coding threads. Bytes passed to a job must stay untouched until its
 * promise settles. Statuses are 0, an errno (positive), or one of the STATUS_ values.
 */
export interface BlocksAddon {
  /**
   * Reads all of a file into `target`, which must be exactly its size, and checks its CRC32C.
   * `idle` (here and for writeNew, readChunks, syncPath, crc32cChunks and ecApply): a task's job, run on
   * the background lane (IoPriority).
   */
  readChecked(file: string, target: Uint8Array, expectedCrc: number, idle?: boolean): Promise<number>
  /** Writes a new file (O_EXCL), fsynced when `sync`; on failure the file is removed. */
  writeNew(file: string, bytes: Uint8Array, sync: boolean, idle?: boolean): Promise<number>
  /** fsyncs a file or directory; with `wholeFilesystem`, syncfs(2) of the filesystem holding it. */
  syncPath(file: string, wholeFilesystem?: boolean, idle?: boolean): Promise<number>
  /**
   * Deletes files (gone already is fine), all in one job: `paths` each followed by a NUL;
   * `removed` takes three numbers per path: its size, its bytes on the drive (st_blocks × 512),
   * and 0 or the errno its removal failed with.
   */
  removeFiles(paths: string, removed: Float64Array): Promise<number>
  crc32c(bytes: Uint8Array): Promise<number>
  /** The CRC32C of every `chunkBytes` of `bytes` into `sums` (4 bytes each, little-endian); resolves with the whole's. */
  crc32cChunks(bytes: Uint8Array, chunkBytes: number, sums: Uint8Array, idle?: boolean): Promise<number>
  /**
   * Reads `target.length` bytes of a file from `offset` (a chunk boundary) and checks each chunk
   * against `sums` (4 bytes per chunk, little-endian, the first for the chunk at `offset`); the
   * file must be `fileLength` bytes long. Aligned like alignedBuffer's, it is read with O_DIRECT.
   */
  readChunks(file: string, target: Uint8Array, offset: number, fileLength: number, sums: Uint8Array, chunkBytes: number, idle?: boolean): Promise<number>
  /** CRC32C on the calling thread, continuing from `previous`. */
  crc32cSync(bytes: Uint8Array, previous?: number): number
  /** ISA-L's multiplication tables for a rows × sources matrix over GF(2^8) (row-major). */
  ecTables(sources: number, rows: number, matrix: Uint8Array): Buffer
  /** outputs[r] = Σ matrix[r][j] · inputs[j] over GF(2^8), byte by byte; all vectors of one length. */
  ecApply(tables: Uint8Array, sources: number, rows: number, inputs: readonly Uint8Array[], outputs: readonly Uint8Array[], idle?: boolean): Promise<number>
  /** The inverse of an n × n matrix over GF(2^8), or null when it has none. */
  gfInvert(matrix: Uint8Array, n: number): Buffer | null
  /**
   * A buffer (contents unspecified) on a 4 KiB boundary: readChecked and writeNew move such a
   * buffer's bytes with O_DIRECT, past the page cache; any other buffer goes through it.
   */
  alignedBuffer(size: number): Buffer
  /** lsetxattr(2) of a path and name given as bytes; 0 or an errno. On the calling thread: for commands, never the serving thread. */
  setXattrSync(file: Uint8Array, name: Uint8Array, value: Uint8Array): number
  /** mknod(2) of a FIFO, socket or device node (path as bytes); 0 or an errno. On the calling thread. */
  makeNodeSync(file: Uint8Array, mode: number, rdev: number): number
  /** utimensat(2) to the nanosecond, not following a symlink (path as bytes); 0 or an errno. On the calling thread. */
  setTimesSync(file: Uint8Array, atimeSeconds: number, atimeNanoseconds: number, mtimeSeconds: number, mtimeNanoseconds: number): number
  /** The user id at the other end of a Unix socket (SO_PEERCRED), or -1. */
  peerUidSync(fd: number): number
  /**
   * Fixes glibc's mmap threshold for the process (false if glibc refused), so that freed large
   * buffers go back to the system instead of staying in the heap (native/blocks/blocks.c).
   */
  pinMmapThreshold(): boolean
  /** Whether a task's file I/O (idle) gives way to the mount from now on, a MiB at a time (src/lib/blocks/mountTraffic.ts). */
  setMountBusy(busy: boolean): void
  readonly STATUS_WRONG_SIZE: number
  readonly STATUS_CHECKSUM_MISMATCH: number
}

/**
 * Whose a job is: the mount's (`normal`, on libuv's pool), or a task's that moves data while the
 * mount serves (`idle`): those run on the addon's background lane, threads of their own at the
 * idle I/O priority and nice 10, so that the mount's jobs never queue behind a task's
 * (native/blocks/coders.c).
 */
export type IoPriority = 'normal' | 'idle'

/** Where install.sh builds the addon, from dist/src/lib/native/ up to the repository. */
const ADDON = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../native/blocks/build/Release/blocks.node')

let loaded: BlocksAddon | undefined

export function blocksAddon(): BlocksAddon {
  if (!loaded) {
    try {
      loaded = createRequire(import.meta.url)(ADDON) as BlocksAddon
    } catch (error) {
      const message = (error as Error).message.split('\n')[0]!
      throw new ShmrError('UNAVAILABLE', `shmr's blocks addon cannot be loaded: ${message}`, {
        hint: /libisal/.test(message) ? 'install Debian\'s libisal2 package' : 'build it: scripts/install.sh (or npm run build:native)',
      })
    }
  }
  return loaded
}

/** Throws a Node-style system error (code, errno, syscall, path) for a non-zero errno status. */
export function throwIfFailed(status: number, syscall: string, file: string): void {
  if (status === 0) return
  const code = getSystemErrorName(-status)
  throw Object.assign(new Error(`${code}: ${syscall} '${file}'`), {code, errno: -status, syscall, path: file})
}
