import type {Topology} from '../blocks/topology.js'
import type {NanosPast} from '../format/exactTimes.js'

/**
 * The records stored in the metadata store (docs/FORMAT.md, "Metadata"). Values are msgpack;
 * fields are only ever added, and a format version bump migrates anything else.
 */

export interface DriveEntry {
  /** Small integer id used in block records; never reused. */
  readonly id: number
  readonly name: string
  readonly pool: string
  /** Being drained (`shmr drive drain`): no new shard is placed on it; its shards are moved off. */
  readonly draining?: boolean
}

export interface Superblock {
  readonly formatVersion: number
  readonly uuid: string
  /** Default block size for new files on the write pool. */
  readonly blockSizeBytes: number
  /** ISO 8601 creation time. */
  readonly createdAt: string
  readonly drives: readonly DriveEntry[]
  /** Image mode: the filesystem holds exactly this one file, of a size fixed at creation. */
  readonly image?: ImageEntry
}

export interface ImageEntry {
  readonly name: string
  readonly ino: number
  readonly sizeBytes: number
}

/** What an inode is; `chardev`, `blockdev` and `socket` since format 3 (nothing reads or writes them: they are names and numbers, as on any filesystem). */
export type InodeKind = 'file' | 'dir' | 'symlink' | 'fifo' | 'chardev' | 'blockdev' | 'socket'

export interface Inode {
  readonly ino: number
  readonly kind: InodeKind
  /** Full st_mode: file type bits and permission bits. */
  readonly mode: number
  readonly uid: number
  readonly gid: number
  readonly nlink: number
  readonly sizeBytes: number
  /** Timestamps in milliseconds since the epoch (fractions carry sub-millisecond precision). */
  readonly atimeMs: number
  readonly mtimeMs: number
  readonly ctimeMs: number
  /** The nanoseconds of an access or modification time set to the nanosecond (format 3; see format/exactTimes.ts). */
  readonly atimeNs?: NanosPast
  readonly mtimeNs?: NanosPast
  /** Regular files: the block size this file's blocks are cut at. */
  readonly blockSizeBytes?: number
  /** Regular files: logical bytes held by stored blocks (holes excluded); what st_blocks reports. */
  readonly storedBytes?: number
  /** Symlinks: the target. */
  readonly target?: string
  /** Device nodes: the device number, as st_rdev holds it (format 3). */
  readonly rdev?: number
  /** Directories: the directory that holds it (its `..`); a directory has exactly one. */
  readonly parent?: number
  /** Regular files: the tier rule that last placed the file (`shmr tier`). */
  readonly tierRule?: string
}

export interface Dirent {
  readonly ino: number
  readonly kind: InodeKind
}

/** Where one shard of a block lives, and what its bytes must checksum to. */
export interface ShardLocation {
  readonly drive: number
  readonly crc32c: number
  /**
   * The CRC32C of each CHUNK_BYTES of the file, 4 bytes little-endian each (format 4): present
   * when the file is longer than one chunk. Absent (a block written before format 4, or one
   * chunk long), reads take the whole file and check `crc32c`.
   */
  readonly chunkCrcs?: Uint8Array
}

/** One stored block of a file. A block with no record is a hole and reads as zeros. */
export interface BlockRecord {
  /** Globally unique, increasing; part of every shard's name; the compare-and-swap token. */
  readonly generation: number
  readonly topology: Topology
  readonly blockSizeBytes: number
  /** Logical bytes in this block (the last block of a file may be short). */
  readonly lengthBytes: number
  /** Indexed by shard index: data shards first, then parity (or mirror copies). */
  readonly shards: readonly ShardLocation[]
  /**
   * Format 6: the block's files lie in the fan-out directory of its file's group, not of its file
   * alone (format/fanout.ts). Every block written from format 6 on has it.
   */
  readonly groupedFanout?: true
}

/**
 * An inode that lost its last name while open, or that libfuse hid under a `.fuse_hidden…` name
 * because it was unlinked while open: reclaimed at its last release, or at the next mount.
 */
export interface Orphan {
  readonly ino: number
  /** The hidden entry, when libfuse made one. */
  readonly parent?: number
  readonly name?: string
  readonly sinceMs: number
}

/** A block or shard file that no record points at any more, waiting for `gc` to delete it. */
export interface Tombstone {
  readonly drive: number
  /** Path relative to the drive directory. */
  readonly path: string
  readonly sinceMs: number
}
