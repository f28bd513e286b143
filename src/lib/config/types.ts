import type {Topology} from '../blocks/topology.js'
import type {LogLevel} from '../log.js'
import type {TierRule} from './tierRules.js'

export type PoolRole = 'write' | 'archive'

/** A drive: a directory, or (archive pools only) a bucket or prefix of an object store. */
export type DriveConfig = DirectoryDriveConfig | BucketDriveConfig

export interface DirectoryDriveConfig {
  /** Unique across the filesystem: shard records and identity files name drives by it. */
  readonly name: string
  /** Absolute path of the drive's directory (usually its mount point, e.g. /mnt/smr0). */
  readonly dir: string
  readonly bucket?: undefined
}

export interface BucketDriveConfig {
  readonly name: string
  readonly dir?: undefined
  readonly bucket: BucketLocation
}

/** Where a bucket drive's objects are: one object per file a directory drive would hold, keyed by `prefix` + its relative path. */
export interface BucketLocation {
  readonly store: ObjectStoreConfig
  readonly bucket: string
  /** Empty, or ending in '/'. */
  readonly prefix: string
}

/**
 * An S3-compatible object store (`objectStores` in the config). Credentials are not part of the
 * config: they are read when the store is first used, from `credentialsFile` or the environment.
 */
export interface ObjectStoreConfig {
  readonly name: string
  /** http(s)://host[:port] */
  readonly endpoint: string
  readonly region: string
  /** Bucket in the path (http://host/bucket/key) rather than the host name: what most stores other than AWS need. */
  readonly pathStyle: boolean
  /** What placement counts as each bucket's size: a store reports no free space. */
  readonly capacityBytes: number
  /** A file of `accessKey = ...` and `secretKey = ...` lines, readable by its owner only; undefined: $AWS_ACCESS_KEY_ID and $AWS_SECRET_ACCESS_KEY. */
  readonly credentialsFile?: string
  /** A request unanswered after this long is abandoned (and retried). */
  readonly requestTimeoutMs: number
}

export interface PoolConfig {
  readonly name: string
  readonly role: PoolRole
  readonly blockSizeBytes: number
  readonly topology: Topology
  readonly placement: string
  readonly drives: readonly DriveConfig[]
  /** The most bytes per second moves (shift, tier, rewrite, drain, verify --repair) write to the pool's drives, together; undefined: no cap. */
  readonly rateBytesPerSecond?: number
}

/** How `shmr mount` serves the filesystem. */
export interface MountConfig {
  /** Let other users than the mounting one use the mount (FUSE allow_other; needs root or user_allow_other). */
  readonly allowOther: boolean
  /** Let the kernel check permissions against modes and owners (FUSE default_permissions). */
  readonly defaultPermissions: boolean
  /** Memory for block buffers, clean and dirty. */
  readonly cacheBytes: number
  /** Dirty blocks are written out after this long even if the file stays open. */
  readonly flushAfterMs: number
  /** A request still running after this long fails with ETIMEDOUT (a sleeping SMR drive can take a while). */
  readonly requestTimeoutMs: number
  /** The kernel's read-ahead window for the mount: how much a sequential reader's requests run ahead of it. */
  readonly readAheadBytes: number
  /** The least severe lines the server logs (error, warning, info or debug). */
  readonly logLevel: LogLevel
  /** The server applies the tiers rules itself this often (`shmr tier` inside it); undefined: only when asked. */
  readonly tierEveryMs?: number
  /** The server applies the tiers rules itself whenever the write pool is this full (a fraction, 0 to 1); undefined: never for that. */
  readonly tierAtFill?: number
  /** Refuse to mount when missing archive drives leave files that cannot be read (default: mount, naming them). */
  readonly refuseUnreadable: boolean
  /** Moves inside the server hold each block back (up to a second) while the mount reads and writes more than this per second; 0: never. */
  readonly busyAboveBytesPerSecond: number
}

/** A validated config: every path absolute, every default filled in. */
export interface ShmrConfig {
  /** Absolute path of the YAML file this was read from; relative paths in it are relative to its directory. */
  readonly file: string
  readonly metadataDir: string
  readonly mountpoint: string
  readonly blockSizeBytes: number
  /** The write pool first, then archive pools in priority order. */
  readonly pools: readonly PoolConfig[]
  readonly mount: MountConfig
  /** Tiering rules for `shmr tier`, in order: the first that matches a file decides. */
  readonly tiers: readonly TierRule[]
  /** Object stores bucket drives name, by name. */
  readonly objectStores: readonly ObjectStoreConfig[]
}
