import fs from 'node:fs'
import path from 'node:path'
import YAML from 'yaml'
import type {BucketLocation, DriveConfig, PoolConfig, PoolRole, ShmrConfig} from '../config/types.js'
import {commandLineBucket, describeBucket, formatBucketDrive, isBucketUrl} from '../config/objectStores.js'
import {BucketDrive} from '../pools/bucketDrive.js'
import {ShmrError} from '../errors.js'
import {IGNORABLE_DIR_ENTRIES} from '../format/constants.js'

/** The pool of the config that has drive `name`; BAD_ARGUMENT, listing the drives, when none has. */
export function poolOfDrive(config: ShmrConfig, name: string): PoolConfig {
  const pool = config.pools.find((candidate) => candidate.drives.some((drive) => drive.name === name))
  if (!pool) throw new ShmrError('BAD_ARGUMENT', `there is no drive named ${name} in the config`, {hint: `drives: ${config.pools.flatMap((p) => p.drives.map((d) => d.name)).join(', ')}`})
  return pool
}

/** Drive `name` as the config has it; BAD_ARGUMENT, listing the drives, when it has none. */
export function driveOfConfig(config: ShmrConfig, name: string): DriveConfig {
  return poolOfDrive(config, name).drives.find((drive) => drive.name === name)!
}

/** Where `drive add` and `drive replace` put a drive: a bucket of a store of the config, or a directory. */
export interface DrivePlace {
  /** As the server's control request carries it: s3://BUCKET[/PREFIX], or the directory made absolute. */
  readonly given: string
  readonly bucket?: BucketLocation
}

/**
 * A drive command's DIR argument (`objectStore`: which store an s3:// URL is in, when the config
 * has several). A directory is made absolute: a relative path in the config is read against the
 * config file's directory, not where the command ran.
 */
export function drivePlace(config: ShmrConfig, given: string, objectStore: string | undefined): DrivePlace {
  return isBucketUrl(given) ? {given, bucket: commandLineBucket(given, config.objectStores, objectStore)} : {given: path.resolve(given)}
}

/** The place as commands print it. */
export function describePlace(place: DrivePlace): string {
  return place.bucket ? describeBucket(place.bucket) : place.given
}

/** A new drive's place: an empty directory or bucket that no other drive uses, in a pool that can take it. */
export async function checkNewPlace(place: DrivePlace, config: ShmrConfig, role: PoolRole): Promise<void> {
  if (place.bucket) await checkNewBucket(place.bucket, config, role)
  else checkNewDriveDir(place.given, config)
}

/** The config text with drive `name` of `pool` at `place` (added, or moved there), comments and layout kept. */
export function withDrivePlace(text: string, pool: string, name: string, place: DrivePlace): string {
  return place.bucket ? withBucketDrive(text, pool, name, formatBucketDrive(place.bucket)) : withDriveDir(text, pool, name, place.given)
}

/** The new drive's directory: existing, empty (a fresh disk's lost+found aside), no other drive's or the metadata's. */
export function checkNewDriveDir(dir: string, config: ShmrConfig): void {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    throw new ShmrError('NOT_FOUND', `${dir} is not a directory`, {hint: 'mount the new disk there first (or create the directory)'})
  }
  const entries = fs.readdirSync(dir).filter((entry) => !IGNORABLE_DIR_ENTRIES.includes(entry))
  if (entries.length > 0) throw new ShmrError('NOT_EMPTY', `${dir} is not empty (holds ${entries.slice(0, 3).join(', ')}${entries.length > 3 ? ', …' : ''})`, {hint: 'a new drive starts empty: give an empty directory'})
  const real = fs.realpathSync(dir)
  const used = [config.metadataDir, config.mountpoint, ...config.pools.flatMap((pool) => pool.drives.flatMap((drive) => (drive.dir === undefined ? [] : [drive.dir])))]
  if (used.some((other) => fs.existsSync(other) && fs.realpathSync(other) === real)) throw new ShmrError('BAD_ARGUMENT', `${dir} is used by this filesystem already`)
}

/** A new bucket drive: in an archive pool, no other drive's, and empty (a bucket not there yet is created). */
async function checkNewBucket(bucket: BucketLocation, config: ShmrConfig, role: PoolRole): Promise<void> {
  const where = describeBucket(bucket)
  if (role === 'write') throw new ShmrError('BAD_ARGUMENT', 'a write pool\'s drives must be directories; buckets can only be archive drives')
  if (config.pools.some((pool) => pool.drives.some((drive) => drive.bucket && describeBucket(drive.bucket) === where))) {
    throw new ShmrError('BAD_ARGUMENT', `${where} is used by this filesystem already`)
  }
  if (!await new BucketDrive(0, 'new', 'new', bucket).isEmpty()) {
    throw new ShmrError('NOT_EMPTY', `${where} is not empty`, {hint: 'a new drive starts empty: give an empty bucket or a new prefix'})
  }
}

/** The config text with drive `name` of `pool` at `dir` (added, or moved there), comments and layout kept. */
function withDriveDir(text: string, pool: string, name: string, dir: string): string {
  return editDrives(text, pool, (document, at) => document.setIn([...at, name], dir))
}

/** The config text with drive `name` of `pool` a bucket (`{objectStore, bucket, prefix}`, as formatBucketDrive writes it). */
function withBucketDrive(text: string, pool: string, name: string, bucket: Record<string, string>): string {
  return editDrives(text, pool, (document, at) => document.setIn([...at, name], document.createNode(bucket, {flow: true})))
}

/** The config text without drive `name` of `pool`, comments and layout kept. */
export function withoutDrive(text: string, pool: string, name: string): string {
  return editDrives(text, pool, (document, at) => document.deleteIn([...at, name]))
}

/** Edits a pool's `drives` map in the config text through yaml's document API, which keeps comments and layout. */
function editDrives(text: string, pool: string, edit: (document: YAML.Document, drivesPath: Array<string | number>) => void): string {
  const document = YAML.parseDocument(text)
  const pools = document.get('pools') as YAML.YAMLSeq<YAML.YAMLMap> | undefined
  const index = pools?.items.findIndex((item) => item.get('name') === pool) ?? -1
  if (index < 0) throw new ShmrError('BAD_CONFIG', `pool ${pool} is not in the config file's pools list`)
  edit(document, ['pools', index, 'drives'])
  return document.toString()
}
