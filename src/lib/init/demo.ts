import fs from 'node:fs'
import path from 'node:path'
import {erasure, SINGLE} from '../blocks/topology.js'
import {formatConfig} from '../config/formatConfig.js'
import {loadConfig} from '../config/loadConfig.js'
import {defaultMountConfig} from '../config/schema.js'
import type {ShmrConfig} from '../config/types.js'
import {ShmrError} from '../errors.js'
import {DEFAULT_ARCHIVE_BLOCK_SIZE_BYTES, DEFAULT_BLOCK_SIZE_BYTES, PRIVATE_DIR_MODE, PRIVATE_FILE_MODE} from '../format/constants.js'
import {DEFAULT_PLACEMENT_POLICY} from '../pools/policies/index.js'
import {initFilesystem, type ImageOptions, type InitReport} from './initFilesystem.js'

export const DEMO_ARCHIVE_DRIVES = 6

export interface DemoReport extends InitReport {
  /** Every file and directory the demo created, for the user to see. */
  readonly created: readonly string[]
}

/**
 * Lays out a ready demo under `dir`: a write pool of one "SSD", an archive pool of six "SMR
 * drives" with 4+2 erasure coding, metadata and mount point directories, and `shmr.yaml`; then
 * initialises it. Refuses when `dir` already holds a demo or anything else.
 */
export async function initDemo(dir: string, options: {image?: ImageOptions} = {}): Promise<DemoReport> {
  const root = path.resolve(dir)
  const file = path.join(root, 'shmr.yaml')
  if (fs.existsSync(file)) {
    throw new ShmrError('FS_EXISTS', `a demo already exists in ${root}`, {hint: `mount it with \`shmr mount -c ${file}\`, or remove ${root} first`})
  }
  if (fs.existsSync(root) && fs.readdirSync(root).length > 0) {
    throw new ShmrError('NOT_EMPTY', `${root} is not empty`, {hint: 'choose a new or empty directory for the demo'})
  }
  const archiveDrives = Array.from({length: DEMO_ARCHIVE_DRIVES}, (_, i) => ({name: `smr${i}`, dir: path.join(root, 'archive', `smr${i}`)}))
  const config: ShmrConfig = {
    file,
    metadataDir: path.join(root, 'meta'),
    mountpoint: path.join(root, 'mnt'),
    blockSizeBytes: DEFAULT_BLOCK_SIZE_BYTES,
    pools: [
      {name: 'write', role: 'write', blockSizeBytes: DEFAULT_BLOCK_SIZE_BYTES, topology: SINGLE, placement: DEFAULT_PLACEMENT_POLICY,
        drives: [{name: 'ssd0', dir: path.join(root, 'write', 'ssd0')}]},
      {name: 'archive', role: 'archive', blockSizeBytes: DEFAULT_ARCHIVE_BLOCK_SIZE_BYTES, topology: erasure(4, 2), placement: DEFAULT_PLACEMENT_POLICY,
        drives: archiveDrives},
    ],
    mount: defaultMountConfig(),
    tiers: [],
    objectStores: [],
  }
  const dirs = [config.metadataDir, config.mountpoint, path.join(root, 'write', 'ssd0'), ...archiveDrives.map((drive) => drive.dir)]
  for (const created of dirs) fs.mkdirSync(created, {recursive: true, ...(created === config.mountpoint ? {} : {mode: PRIVATE_DIR_MODE})})
  fs.writeFileSync(file, formatConfig(config, 'shmr demo filesystem, written by `shmr init --demo`.\nDrive directories stand in for an SSD (write pool) and six SMR drives (archive pool).'),
    {mode: PRIVATE_FILE_MODE})
  const report = await initFilesystem(loadConfig(file), options)
  return {...report, created: [file, ...dirs]}
}
