import type {Topology} from '../blocks/topology.js'
import type {LogLevel} from '../log.js'
import type {TierRule} from './tierRules.js'

export type PoolRole = 'write' | 'archive'

export interface DriveConfig {
  /** Unique across the filesystem: shard records and identity files name drives by it. */
  readonly name: string
  /** Absolute path of the drive's directory (usually its mount point, e.g. /mnt/smr0). */
  readonly dir: string
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
}
