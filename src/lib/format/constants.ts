import assert from 'node:assert/strict'

/**
 * Every constant of the on-disk and metadata format, in one place. docs/FORMAT.md describes them;
 * changing one that is written to disk means a new FORMAT_VERSION and a migration.
 */

/** Version of the metadata schema and the shard name grammar. */
export const FORMAT_VERSION = 7
/** The first format whose drives carry metadata snapshots: a snapshot of an older one is not read. */
export const FIRST_SNAPSHOT_FORMAT_VERSION = 5
/** Oldest format this build can open (by migrating it forward). */
export const OLDEST_SUPPORTED_FORMAT_VERSION = 1

export const KiB = 1024
export const MiB = 1024 * KiB
export const GiB = 1024 * MiB

export const MIN_BLOCK_SIZE_BYTES = 64 * KiB
export const MAX_BLOCK_SIZE_BYTES = 256 * MiB
export const DEFAULT_BLOCK_SIZE_BYTES = 1 * MiB
/** SMR drives want long sequential write-once files: 64 MiB blocks make 16 MiB shards at 4+2. */
export const DEFAULT_ARCHIVE_BLOCK_SIZE_BYTES = 64 * MiB

/**
 * The largest file shmr stores, 128 TiB (far past any one archive drive, well inside JavaScript's
 * exact integers): writes and truncates past it answer EFBIG, an image cannot be larger, and
 * decode does not believe a shard name that claims a block past it.
 */
export const MAX_FILE_SIZE_BYTES = 2 ** 47

/**
 * Block and shard files are checksummed by the chunk (a CRC32C of each CHUNK_BYTES, the last
 * chunk short), so a small read reads and checks only the chunks it touches. 16 KiB: on this
 * project's SSD, random O_DIRECT reads of 16 KiB ran at 93-95% of the rate of 4 KiB ones, 32 KiB
 * at 78-98%, 64 KiB at 55-83% (fio, psync, 1 GiB file); smaller chunks cost more metadata
 * (4 bytes per chunk: 0.024% of the bytes stored) for no faster read.
 */
export const CHUNK_BYTES = 16 * KiB

/** Reed-Solomon over GF(2^8) allows at most 256 shards per block. */
export const MAX_TOTAL_SHARDS = 256
export const MAX_MIRROR_COPIES = 16

/**
 * Modes of every file and directory shmr creates, whatever the umask: block and shard files,
 * metadata and logs are readable only by the user the filesystem runs as (root for a NAS), or any
 * local user could read another user's 0600 file straight from its blocks.
 */
export const PRIVATE_FILE_MODE = 0o600
export const PRIVATE_DIR_MODE = 0o700

/** Identity file written into every drive directory by `shmr init`. */
export const DRIVE_IDENTITY_FILE = '.shmr-drive.json'
/** Subdirectory of a drive directory that holds block and shard files. */
export const DRIVE_DATA_DIR = 'shmr'
/** Block files are spread over FANOUT × FANOUT subdirectories (two hex levels). */
export const FANOUT = 256
/**
 * Since format 6 a block's files lie in the fan-out directory of its file's group of
 * FANOUT_GROUP_FILES inode numbers and its group of FANOUT_GROUP_BLOCKS blocks (a block record's
 * `groupedFanout`): files numbered alike, which were created together (an untar, a photo import)
 * and are read and deleted together, share a directory, so ext4 keeps their inodes and entries
 * in a few blocks. Reading back cold 20,000 small files untarred through a mount took 5.9-6.9 s
 * against 7.8-9.7 with a directory per file (60,000 files had made 44,000 directories); on the
 * raw disk, groups of 16, 64 and 256 files read alike (2.0-2.3 s, against 3.1-3.4 for one
 * directory each). A directory holds at most 16 × 64 = 1024 live files of one group, and a big
 * file's blocks still spread out, 64 to a directory.
 */
export const FANOUT_GROUP_FILES = 16
export const FANOUT_GROUP_BLOCKS = 64
/**
 * Before format 6 (blocks without `groupedFanout`): a fan-out directory per file, its consecutive
 * blocks in groups of this many.
 */
export const FANOUT_GROUP_BLOCKS_BY_FILE = 1024
/** Extension every block and shard file carries. */
export const SHARD_FILE_EXTENSION = '.shard'

/**
 * Subdirectory of every drive directory that holds metadata snapshots (docs/FORMAT.md, "Metadata
 * snapshots"): the whole metadata store, so the names and attributes of what the drives hold
 * outlive the metadata disk.
 */
export const SNAPSHOT_DIR = 'shmr-meta'
/** The first 8 bytes of a snapshot file. */
export const SNAPSHOT_MAGIC = 'SHMRSNAP'
/** Snapshot files are named `snapshot.<seq>`: seq counts up across all drives of a filesystem. */
export const SNAPSHOT_FILE_PREFIX = 'snapshot.'
/** How many snapshots each drive keeps (the newest): a damaged newest one still leaves older ones. */
export const SNAPSHOTS_KEPT = 3
/** Rows per frame of a snapshot: a damaged frame is found by its checksum without reading the file into one value. */
export const SNAPSHOT_ROWS_PER_FRAME = 4096

/** Entries a fresh drive or metadata directory may already hold (mkfs leaves lost+found). */
export const IGNORABLE_DIR_ENTRIES: readonly string[] = ['lost+found']

/**
 * The running server's control socket, in the metadata directory (docs/CLI_ABI.md, "Control
 * socket"): how commands ask a mounted filesystem to do work (`shmr status`, `shmr flush`).
 */
export const CONTROL_SOCKET_FILE = 'control.sock'

/** File in the metadata directory where a mount writes its metrics (Prometheus text format). */
export const METRICS_FILE = 'metrics.prom'

/** Root directory inode; inode numbers are never reused, so they double as file ids in shard names. */
export const ROOT_INODE = 1
/** Linux NAME_MAX: the longest name a directory entry may have, in bytes. */
export const NAME_MAX_BYTES = 255

assert(MIN_BLOCK_SIZE_BYTES <= DEFAULT_BLOCK_SIZE_BYTES && DEFAULT_BLOCK_SIZE_BYTES <= MAX_BLOCK_SIZE_BYTES)
assert(MIN_BLOCK_SIZE_BYTES <= DEFAULT_ARCHIVE_BLOCK_SIZE_BYTES && DEFAULT_ARCHIVE_BLOCK_SIZE_BYTES <= MAX_BLOCK_SIZE_BYTES)
assert(OLDEST_SUPPORTED_FORMAT_VERSION <= FORMAT_VERSION && FIRST_SNAPSHOT_FORMAT_VERSION <= FORMAT_VERSION)
assert(FANOUT === 256, 'shard directories are named by two hex digits')
