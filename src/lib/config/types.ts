import type {Topology} from '../blocks/topology.js'

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
}
