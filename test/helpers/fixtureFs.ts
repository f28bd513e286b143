import fs from 'node:fs'
import path from 'node:path'
import {erasure, mirror, SINGLE, type Topology} from '../../src/lib/blocks/topology.js'
import {formatConfig} from '../../src/lib/config/formatConfig.js'
import {loadConfig} from '../../src/lib/config/loadConfig.js'
import type {DriveConfig, MountConfig, ObjectStoreConfig, ShmrConfig} from '../../src/lib/config/types.js'
import {defaultMountConfig} from '../../src/lib/config/schema.js'
import {DEFAULT_PLACEMENT_POLICY} from '../../src/lib/pools/policies/index.js'

export interface FixtureOptions {
  readonly archiveDrives?: number
  readonly archiveTopology?: Topology
  readonly writeTopology?: Topology
  readonly writeDrives?: number
  readonly blockSizeBytes?: number
  readonly archiveBlockSizeBytes?: number
  readonly mount?: Partial<MountConfig>
  /** Where the metadata goes (a small filesystem of its own, say), instead of ROOT/meta. */
  readonly metadataDir?: string
  /** Where the first write pool drive goes, instead of ROOT/write/ssd0. */
  readonly writeDriveDir?: string
  /** The archive pool's drives are these (buckets of these stores, directories, or both), instead of ROOT/archive/smrN. */
  readonly archiveBuckets?: {readonly objectStores: readonly ObjectStoreConfig[]; readonly drives: readonly DriveConfig[]}
}

/** Lays out directories and a config for a filesystem under `root` (not yet initialised). */
export function fixtureConfig(root: string, options: FixtureOptions = {}): ShmrConfig {
  const blockSizeBytes = options.blockSizeBytes ?? 65536
  const writeDrives = options.writeDrives ?? 1
  const archiveDrives = options.archiveDrives ?? 6
  const config: ShmrConfig = {
    file: path.join(root, 'shmr.yaml'),
    metadataDir: options.metadataDir ?? path.join(root, 'meta'),
    mountpoint: path.join(root, 'mnt'),
    blockSizeBytes,
    pools: [
      {name: 'write', role: 'write', blockSizeBytes, topology: options.writeTopology ?? SINGLE, placement: DEFAULT_PLACEMENT_POLICY,
        drives: Array.from({length: writeDrives}, (_, i) => ({name: `ssd${i}`, dir: (i === 0 ? options.writeDriveDir : undefined) ?? path.join(root, 'write', `ssd${i}`)}))},
      {name: 'archive', role: 'archive', blockSizeBytes: options.archiveBlockSizeBytes ?? 262144, topology: options.archiveTopology ?? erasure(4, 2),
        placement: DEFAULT_PLACEMENT_POLICY,
        drives: options.archiveBuckets?.drives ?? Array.from({length: archiveDrives}, (_, i): DriveConfig => ({name: `smr${i}`, dir: path.join(root, 'archive', `smr${i}`)}))},
    ],
    mount: {...defaultMountConfig(), ...options.mount},
    tiers: [],
    objectStores: options.archiveBuckets?.objectStores ?? [],
  }
  for (const dir of [config.metadataDir, config.mountpoint, ...config.pools.flatMap((pool) => pool.drives.flatMap((drive) => (drive.dir === undefined ? [] : [drive.dir])))]) {
    fs.mkdirSync(dir, {recursive: true})
  }
  fs.writeFileSync(config.file, formatConfig(config))
  return loadConfig(config.file)
}

export {erasure, mirror, SINGLE}
