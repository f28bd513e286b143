import fs from 'node:fs'
import path from 'node:path'
import {describeDrive} from '../config/objectStores.js'
import {loadConfig} from '../config/loadConfig.js'
import type {ShmrConfig} from '../config/types.js'
import {ShmrError} from '../errors.js'
import {ExclusiveLock} from '../meta/exclusiveLock.js'
import {replaceFile} from '../pools/durableFile.js'
import {runVerify, type VerifyOptions, type VerifyReport} from '../verify/runVerify.js'
import {checkNewDriveDir, withDriveDir} from './driveConfig.js'
import {askServer} from '../control/controlClient.js'

/** A drive given a new directory: by name, from where, to where. */
export interface MovedDrive {
  readonly drive: string
  readonly from: string
  readonly to: string
}

export interface ReplacedDrive extends MovedDrive {
  /** The repair that rebuilt the drive's shards onto the new directory (verify --repair of everything). */
  readonly verify: VerifyReport
}

/**
 * `shmr drive replace NAME NEWDIR`: a dead drive's replacement at a new path. The config names
 * NEWDIR for the drive (comments and layout kept), then a whole verify --repair gives the empty
 * directory the drive's identity and rebuilds every shard it held from the others of its block
 * (each block read once). While mounted the server serves the drive from NEWDIR at once and does
 * the repair, the mount serving meanwhile (reads of the drive's shards rebuilt until then).
 * Interrupted, the config already names NEWDIR: running `shmr verify --repair` (or this again)
 * finishes. The old directory is not touched.
 */
export async function replaceDrive(config: ShmrConfig, options: {name: string; dir: string} & Pick<VerifyOptions, 'rateBytesPerSecond' | 'onTotal' | 'onBytes'>): Promise<ReplacedDrive> {
  const pool = config.pools.find((candidate) => candidate.drives.some((drive) => drive.name === options.name))
  if (!pool) throw new ShmrError('BAD_ARGUMENT', `there is no drive named ${options.name} in the config`, {hint: `drives: ${config.pools.flatMap((p) => p.drives.map((d) => d.name)).join(', ')}`})
  const to = path.resolve(options.dir)
  checkNewDriveDir(to, config)
  let moved: MovedDrive
  if (ExclusiveLock.isMounted(config.metadataDir)) {
    moved = await askServer(config.metadataDir, {op: 'driveReplace', name: options.name, dir: to}) as MovedDrive
  } else {
    const holder = ExclusiveLock.holder(config.metadataDir)
    if (holder) throw new ShmrError('LOCKED', `the filesystem is in use by shmr ${holder.purpose} (PID ${holder.pid})`, {hint: 'wait for it first'})
    moved = {drive: options.name, from: describeDrive(pool.drives.find((drive) => drive.name === options.name)!), to}
    await moveDriveInConfig(config, options.name, to)
  }
  const verify = await runVerify(loadConfig(config.file, {missingDrivesAllowed: true}), {targets: [], repair: true, rateBytesPerSecond: options.rateBytesPerSecond, onTotal: options.onTotal, onBytes: options.onBytes})
  return {...moved, verify}
}

/** The config file naming `dir` for drive `name` (comments and layout kept), durably. */
export async function moveDriveInConfig(config: ShmrConfig, name: string, dir: string): Promise<void> {
  const pool = config.pools.find((candidate) => candidate.drives.some((drive) => drive.name === name))
  if (!pool) throw new ShmrError('BAD_ARGUMENT', `there is no drive named ${name} in the config`)
  await replaceFile(config.file, Buffer.from(withDriveDir(fs.readFileSync(config.file, 'utf8'), pool.name, name, dir)))
}
