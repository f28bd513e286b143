import type {ShardFault} from '../blocks/shardFile.js'
import type {IoPriority} from '../native/blocksAddon.js'
import type {DriveIdentity} from './driveIdentity.js'
import type {DriveSpace} from './policies/index.js'

/**
 * One drive of a pool: a directory (usually one physical drive's mount point, DirectoryDrive) or
 * a bucket or prefix of an object store (BucketDrive). Either holds the same files under the same
 * relative paths: shard files under `shmr/`, and the identity file.
 */
export abstract class Drive {
  constructor(
    readonly id: number,
    readonly name: string,
    readonly poolName: string,
  ) {}

  /** Where the drive is, for messages: its directory, or its bucket and store (never credentials). */
  abstract readonly location: string

  /** The drive's directory; undefined for a bucket drive. */
  abstract readonly dir: string | undefined

  abstract space(): Promise<DriveStats>

  /** The size of a file of the drive; undefined when it is not there. */
  async fileSize(relativePath: string): Promise<number | undefined> {
    return (await this.stat(relativePath))?.sizeBytes
  }

  /** A file's size and when it was last written; undefined when it is not there. */
  abstract stat(relativePath: string): Promise<FileStat | undefined>

  /** The names of the files directly in a directory of the drive (none when there is no such directory). */
  abstract listDir(relativeDir: string): Promise<string[]>

  /** Deletes a file of the drive (gone already is fine): its size, and the bytes of the drive it took. */
  abstract removeFile(relativePath: string): Promise<RemovedFile>

  /** Deletes several files of the drive, as removeFile each: what each took, in order. */
  async removeFiles(relativePaths: readonly string[]): Promise<RemovedFile[]> {
    return Promise.all(relativePaths.map(async (relativePath) => this.removeFile(relativePath)))
  }

  /**
   * Reads a whole file into `target` (exactly its expected size) and checks its CRC32C. Never
   * throws for a bad file. `priority` (here and below): that of the disk I/O, where there is any.
   */
  abstract readChecked(relativePath: string, target: Uint8Array, expectedCrc: number, priority?: IoPriority): Promise<ShardFault | undefined>

  /**
   * Reads `target.length` bytes of a file from `offset` (a chunk boundary) and checks each chunk of
   * `chunkBytes` against `sums` (4 little-endian bytes per chunk); the file must be `fileLength` long.
   */
  abstract readChunks(relativePath: string, target: Uint8Array, offset: number, fileLength: number, sums: Uint8Array, chunkBytes: number, priority?: IoPriority): Promise<ShardFault | undefined>

  /**
   * Writes a new file (its name not taken: files are write-once). With `sync: false` it need not
   * be durable until `makeDurable` is called for it. On failure nothing of it stays.
   */
  abstract writeNew(relativePath: string, bytes: Uint8Array, sync: boolean, priority?: IoPriority): Promise<void>

  /** Writes a file whole, replacing any of that name atomically, durable on return. */
  abstract replace(relativePath: string, bytes: Uint8Array, priority?: IoPriority): Promise<void>

  /** Makes files written with `sync: false` durable, with what their names need to survive a crash. */
  abstract makeDurable(relativePaths: readonly string[], priority?: IoPriority): Promise<void>

  /** Every file under the drive's data directory, relative to the drive (none when it has no data directory). */
  abstract listDataFiles(): Promise<string[]>

  /** The identity the drive holds; undefined when it has none. Throws when it cannot be read. */
  abstract readIdentity(): Promise<DriveIdentity | undefined>

  abstract writeIdentity(identity: DriveIdentity): Promise<void>
}

/** A drive's space, and the unit its filesystem allocates in (a file takes whole units). */
export interface DriveStats extends DriveSpace {
  readonly unitBytes: number
}

export interface FileStat {
  readonly sizeBytes: number
  readonly mtimeMs: number
}

export interface RemovedFile {
  readonly sizeBytes: number
  /** What the drive got back (st_blocks are 512-byte units whatever the filesystem). */
  readonly allocatedBytes: number
}
