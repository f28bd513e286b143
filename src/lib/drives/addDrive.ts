import fs from 'node:fs'
import path from 'node:path'
import {parseName} from '../config/schema.js'
import type {ShmrConfig} from '../config/types.js'
import {BucketDrive} from '../pools/bucketDrive.js'
import {isShmrError, ShmrError} from '../errors.js'
import {DRIVE_DATA_DIR, PRIVATE_DIR_MODE} from '../format/constants.js'
import {ExclusiveLock} from '../meta/exclusiveLock.js'
import {MetaStore} from '../meta/metaStore.js'
import {writeDriveIdentity} from '../pools/driveIdentity.js'
import {replaceFile, syncPath} from '../pools/durableFile.js'
import {askServer} from '../control/controlClient.js'
import {checkNewPlace, describePlace, drivePlace, withDrivePlace} from './driveConfig.js'

export interface AddedDrive {
  readonly pool: string
  readonly name: string
  readonly dir: string
  readonly id: number
}

/**
 * `shmr drive add POOL NAME DIR`: gives an empty directory (a new disk's mount point) a drive
 * identity, adds it to the filesystem (superblock, durably) and to the config file (its comments
 * and layout kept); new shards use it from then on. Everything is checked first: a refusal
 * changes nothing. While mounted the server does it and uses the drive at once. A crash between
 * the superblock and the config leaves a filesystem whose drive the config lacks: every command
 * then says so, naming it.
 */
export async function addDrive(config: ShmrConfig, options: NewDrive): Promise<AddedDrive> {
  const pool = config.pools.find((candidate) => candidate.name === options.pool)
  if (!pool) throw new ShmrError('BAD_ARGUMENT', `there is no pool named ${options.pool}`, {hint: `pools: ${config.pools.map((p) => p.name).join(', ')}`})
  const name = named(options.name)
  if (config.pools.some((candidate) => candidate.drives.some((drive) => drive.name === name))) {
    throw new ShmrError('BAD_ARGUMENT', `a drive named ${name} is in the config already`, {hint: 'choose another name'})
  }
  const place = drivePlace(config, options.dir, options.objectStore)
  await checkNewPlace(place, config, pool.role)
  const request = {pool: pool.name, name, dir: place.given, ...(options.objectStore === undefined ? {} : {objectStore: options.objectStore})}
  if (ExclusiveLock.isMounted(config.metadataDir)) return await askServer(config.metadataDir, {op: 'driveAdd', ...request}) as AddedDrive
  const lock = ExclusiveLock.acquire(config.metadataDir, 'drive add')
  let store: MetaStore | undefined
  try {
    store = await MetaStore.open(config.metadataDir)
    return await addDriveTo(store, config, request)
  } finally {
    await store?.close()
    lock.release()
  }
}

/**
 * The addition itself, to an open store (the command's, or the mount's inside its server, which
 * then has its pools take the drive): identity, superblock, config file, in that order.
 */
export async function addDriveTo(store: MetaStore, config: ShmrConfig, options: NewDrive): Promise<AddedDrive> {
  const {pool, name} = options
  const superblock = store.superblock
  if (superblock.drives.some((drive) => drive.name === name)) throw new ShmrError('BAD_ARGUMENT', `a drive named ${name} is part of the filesystem already`)
  const place = drivePlace(config, options.dir, options.objectStore)
  const {bucket, given: dir} = place
  const updated = withDrivePlace(fs.readFileSync(config.file, 'utf8'), pool, name, place)
  const id = Math.max(0, ...superblock.drives.map((drive) => drive.id)) + 1
  const identity = {filesystemUuid: superblock.uuid, driveId: id, driveName: name, pool, formatVersion: superblock.formatVersion}
  if (bucket) {
    const drive = new BucketDrive(id, name, pool, bucket)
    await drive.ensureBucket()
    await drive.writeIdentity(identity)
  } else {
    fs.mkdirSync(path.join(dir, DRIVE_DATA_DIR), {mode: PRIVATE_DIR_MODE})
    await writeDriveIdentity(dir, identity)
    await syncPath(dir)
  }
  await store.addDrive({id, name, pool})
  await replaceFile(config.file, Buffer.from(updated))
  return {pool, name, dir: describePlace(place), id}
}

/** What `drive add` is given: a directory, or an s3://BUCKET[/PREFIX] of a store of the config (`objectStore`: which, when there are several). */
export interface NewDrive {
  readonly pool: string
  readonly name: string
  readonly dir: string
  readonly objectStore?: string
}

function named(raw: string): string {
  try {
    return parseName(raw, 'drive name')
  } catch (error) {
    if (isShmrError(error)) throw new ShmrError('BAD_ARGUMENT', error.message)
    throw error
  }
}
