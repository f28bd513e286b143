import {createRequire} from 'node:module'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {getSystemErrorName} from 'node:util'
import {ShmrError} from '../errors.js'

/**
 * shmr's block I/O addon (native/blockio): each call is one job on libuv's thread pool, with the
 * checksum computed there too, so the JavaScript thread (which answers FUSE) only starts the job
 * and takes its result. Bytes passed in must stay untouched until the promise settles.
 */
interface BlockIoAddon {
  /** 0, an errno, or STATUS_WRONG_SIZE / STATUS_CHECKSUM_MISMATCH. */
  readChecked(file: string, target: Uint8Array, expectedCrc: number): Promise<number>
  /** 0 or an errno; on failure the file is removed. */
  writeNew(file: string, bytes: Uint8Array, sync: boolean): Promise<number>
  syncPath(file: string): Promise<number>
  crc32c(bytes: Uint8Array, previous?: number): Promise<number>
  crc32cSync(bytes: Uint8Array, previous?: number): number
  readonly STATUS_WRONG_SIZE: number
  readonly STATUS_CHECKSUM_MISMATCH: number
}

/** Where install.sh builds the addon, from dist/src/lib/blockio/ up to the repository. */
const ADDON = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../native/blockio/build/Release/blockio.node')

let loaded: BlockIoAddon | undefined

function addon(): BlockIoAddon {
  if (!loaded) {
    try {
      loaded = createRequire(import.meta.url)(ADDON) as BlockIoAddon
    } catch (error) {
      throw new ShmrError('UNAVAILABLE', `shmr's block I/O addon is not built: ${(error as Error).message.split('\n')[0]}`, {
        hint: 'build it: scripts/install.sh (or npm run build:native)',
      })
    }
  }
  return loaded
}

/** What a whole-file checked read found: undefined when the file read back whole with the right checksum. */
export type CheckedReadFault = 'missing' | 'wrong size' | 'checksum mismatch' | `read error: ${string}`

/** Reads all of `file` into `target`, which must be exactly its size, and checks its CRC32C. Never throws for a bad file. */
export async function readFileChecked(file: string, target: Uint8Array, expectedCrc: number): Promise<CheckedReadFault | undefined> {
  const native = addon()
  const status = await native.readChecked(file, target, expectedCrc)
  if (status === 0) return undefined
  if (status === native.STATUS_WRONG_SIZE) return 'wrong size'
  if (status === native.STATUS_CHECKSUM_MISMATCH) return 'checksum mismatch'
  const code = getSystemErrorName(-status)
  return code === 'ENOENT' ? 'missing' : `read error: ${code}`
}

/** Writes `bytes` as a new file (it must not exist), fsynced unless `sync` is false. On failure nothing stays behind. */
export async function writeNewFile(file: string, bytes: Uint8Array, sync = true): Promise<void> {
  check(await addon().writeNew(file, bytes, sync), 'open', file)
}

/** fsyncs a file (data and metadata) or a directory (so entries made or removed in it survive a crash). */
export async function syncPath(file: string): Promise<void> {
  check(await addon().syncPath(file), 'fsync', file)
}

/** CRC32C of `bytes` computed on the thread pool: for whole blocks and shards. */
export function crc32cOffThread(bytes: Uint8Array): Promise<number> {
  return addon().crc32c(bytes)
}

/** CRC32C of `bytes`, continuing from `previous`, on the calling thread. */
export function crc32cHere(bytes: Uint8Array, previous?: number): number {
  return addon().crc32cSync(bytes, previous)
}

/** Throws a Node-style system error (code, errno, path) for a non-zero status. */
function check(status: number, syscall: string, file: string): void {
  if (status === 0) return
  const code = getSystemErrorName(-status)
  throw Object.assign(new Error(`${code}: ${syscall} '${file}'`), {code, errno: -status, syscall, path: file})
}
