import fs from 'node:fs'
import YAML from 'yaml'
import type {BucketLocation, PoolRole, ShmrConfig} from '../config/types.js'
import {describeBucket} from '../config/objectStores.js'
import {BucketDrive} from '../pools/bucketDrive.js'
import {ShmrError} from '../errors.js'
import {IGNORABLE_DIR_ENTRIES} from '../format/constants.js'

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
export async function checkNewBucket(bucket: BucketLocation, config: ShmrConfig, role: PoolRole): Promise<void> {
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
export function withDriveDir(text: string, pool: string, name: string, dir: string): string {
  return editDrives(text, pool, (document, at) => document.setIn([...at, name], dir))
}

/** The config text with drive `name` of `pool` a bucket (`{objectStore, bucket, prefix}`, as formatBucketDrive writes it). */
export function withBucketDrive(text: string, pool: string, name: string, bucket: Record<string, string>): string {
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
