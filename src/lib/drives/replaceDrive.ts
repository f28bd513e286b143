import fs from 'node:fs'
import {describeDrive} from '../config/objectStores.js'
import {loadConfig} from '../config/loadConfig.js'
import type {ShmrConfig} from '../config/types.js'
import {ShmrError} from '../errors.js'
import {ExclusiveLock} from '../meta/exclusiveLock.js'
import {replaceFile} from '../pools/durableFile.js'
import {runVerify, type VerifyOptions, type VerifyReport} from '../verify/runVerify.js'
import {checkNewPlace, describePlace, drivePlace, poolOfDrive, withDrivePlace} from './driveConfig.js'
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
export async function replaceDrive(config: ShmrConfig, options: {name: string; dir: string; objectStore?: string} & Pick<VerifyOptions, 'rateBytesPerSecond' | 'onTotal' | 'onBytes'>): Promise<ReplacedDrive> {
  const pool = poolOfDrive(config, options.name)
  const place = drivePlace(config, options.dir, options.objectStore)
  await checkNewPlace(place, config, pool.role)
  const objectStore = options.objectStore === undefined ? {} : {objectStore: options.objectStore}
  let moved: MovedDrive
  if (ExclusiveLock.isMounted(config.metadataDir)) {
    moved = await askServer(config.metadataDir, {op: 'driveReplace', name: options.name, dir: place.given, ...objectStore}) as MovedDrive
  } else {
    const holder = ExclusiveLock.holder(config.metadataDir)
    if (holder) throw new ShmrError('LOCKED', `the filesystem is in use by shmr ${holder.purpose} (PID ${holder.pid})`, {hint: 'wait for it first'})
    moved = {drive: options.name, from: describeDrive(pool.drives.find((drive) => drive.name === options.name)!), to: describePlace(place)}
    await moveDriveInConfig(config, options.name, place.given, options.objectStore)
  }
  const verify = await runVerify(loadConfig(config.file, {missingDrivesAllowed: true}), {targets: [], repair: true, rateBytesPerSecond: options.rateBytesPerSecond, onTotal: options.onTotal, onBytes: options.onBytes})
  return {...moved, verify}
}

/** The config file naming `dir` (a directory, or s3://BUCKET[/PREFIX] of `objectStore`) for drive `name` (comments and layout kept), durably. */
export async function moveDriveInConfig(config: ShmrConfig, name: string, dir: string, objectStore?: string): Promise<string> {
  const pool = poolOfDrive(config, name)
  const place = drivePlace(config, dir, objectStore)
  await replaceFile(config.file, Buffer.from(withDrivePlace(fs.readFileSync(config.file, 'utf8'), pool.name, name, place)))
  return describePlace(place)
}
