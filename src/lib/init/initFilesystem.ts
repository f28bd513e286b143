import {randomUUID} from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import type {ShmrConfig} from '../config/types.js'
import {isShmrError, ShmrError} from '../errors.js'
import {describeDrive} from '../config/objectStores.js'
import {BucketDrive} from '../pools/bucketDrive.js'
import {formatSize} from '../format/size.js'
import {DRIVE_DATA_DIR, DRIVE_IDENTITY_FILE, FORMAT_VERSION, IGNORABLE_DIR_ENTRIES, MAX_FILE_SIZE_BYTES, PRIVATE_DIR_MODE, ROOT_INODE} from '../format/constants.js'
import {MetaStore} from '../meta/metaStore.js'
import {parseBlockSize} from '../config/schema.js'
import type {DriveEntry, ImageEntry, Superblock} from '../meta/records.js'
import {readDriveIdentity, writeDriveIdentity} from '../pools/driveIdentity.js'
import {syncPath} from '../pools/durableFile.js'
import {newInode} from './newInode.js'
import {makePrivate} from '../pools/privateModes.js'

export interface ImageOptions {
  readonly sizeBytes: number
  /** The image's block size; default the write pool's. */
  readonly blockSizeBytes?: number
}

/** The one file of an image-mode filesystem. */
export const IMAGE_NAME = 'disk.img'

export interface InitReport {
  readonly uuid: string
  readonly formatVersion: number
  readonly configFile: string
  readonly metadataDir: string
  readonly mountpoint: string
  readonly blockSizeBytes: number
  readonly drives: ReadonlyArray<DriveEntry & {readonly dir: string}>
  readonly image?: ImageEntry & {readonly blockSizeBytes: number}
}

/**
 * Creates a new filesystem from a validated config: an identity file and data directory on every
 * drive, then the metadata store with its superblock and root directory. Refuses, naming what is
 * in the way, when the metadata directory or any drive directory is not empty. The metadata
 * store is written last, so an interrupted init leaves no half-made filesystem that opens.
 */
export async function initFilesystem(config: ShmrConfig, options: {image?: ImageOptions} = {}): Promise<InitReport> {
  const image = options.image && checkImage(config, options.image)
  checkEmpty(config)
  const uuid = randomUUID()
  const configured = config.pools.flatMap((pool) => pool.drives.map((drive) => ({pool: pool.name, drive})))
  const buckets = configured.flatMap(({pool, drive}, index) => (drive.bucket ? [new BucketDrive(index + 1, drive.name, pool, drive.bucket)] : []))
  await checkBucketsEmpty(buckets)
  const drives = configured.map(({pool, drive}, index) => ({id: index + 1, name: drive.name, pool, dir: describeDrive(drive)}))
  const superblock: Superblock = {
    formatVersion: FORMAT_VERSION, uuid, blockSizeBytes: config.blockSizeBytes, createdAt: new Date().toISOString(),
    drives: drives.map(({id, name, pool}) => ({id, name, pool})),
    ...(image ? {image: {name: IMAGE_NAME, ino: ROOT_INODE + 1, sizeBytes: image.sizeBytes}} : {}),
  }
  try {
    for (const [index, {pool, drive}] of configured.entries()) {
      const identity = {filesystemUuid: uuid, driveId: index + 1, driveName: drive.name, pool, formatVersion: FORMAT_VERSION}
      if (drive.bucket) {
        const bucket = buckets.find((candidate) => candidate.id === index + 1)!
        await bucket.ensureBucket()
        await bucket.writeIdentity(identity)
        continue
      }
      fs.mkdirSync(path.join(drive.dir, DRIVE_DATA_DIR), {mode: PRIVATE_DIR_MODE})
      await writeDriveIdentity(drive.dir, identity)
      await syncPath(drive.dir)
    }
    const store = await MetaStore.create(config.metadataDir, superblock, (created) => {
      const owner = {uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0}
      created.inodes.putInode(newInode({ino: ROOT_INODE, kind: 'dir', parent: ROOT_INODE, permissions: 0o755, ...owner}))
      if (image) {
        const file = newInode({ino: ROOT_INODE + 1, kind: 'file', permissions: 0o644, ...owner, blockSizeBytes: image.blockSizeBytes})
        created.inodes.putInode({...file, sizeBytes: image.sizeBytes})
        created.dirents.link(ROOT_INODE, IMAGE_NAME, {ino: file.ino, kind: 'file'})
      }
      created.counters.put('nextInode', ROOT_INODE + (image ? 2 : 1))
      created.counters.put('nextGeneration', 1)
    })
    await store.close()
    // The metadata directory is the user's; what shmr keeps in it is for no one else to read.
    makePrivate(config)
  } catch (error) {
    undoDrives(configured.flatMap(({drive}) => (drive.dir === undefined ? [] : [drive.dir])), uuid)
    await Promise.all(buckets.map((bucket) => undoBucket(bucket, uuid)))
    throw error
  }
  return {
    uuid, formatVersion: FORMAT_VERSION, configFile: config.file, metadataDir: config.metadataDir,
    mountpoint: config.mountpoint, blockSizeBytes: config.blockSizeBytes, drives,
    ...(image ? {image: {name: IMAGE_NAME, ino: ROOT_INODE + 1, ...image}} : {}),
  }
}

function checkImage(config: ShmrConfig, image: ImageOptions): {sizeBytes: number; blockSizeBytes: number} {
  if (!Number.isSafeInteger(image.sizeBytes) || image.sizeBytes <= 0) {
    throw new ShmrError('BAD_ARGUMENT', `image size ${image.sizeBytes} must be a positive number of bytes`)
  }
  if (image.sizeBytes > MAX_FILE_SIZE_BYTES) {
    throw new ShmrError('FILE_TOO_LARGE', `image size ${formatSize(image.sizeBytes)} is past the largest file shmr stores (${formatSize(MAX_FILE_SIZE_BYTES)})`)
  }
  const blockSizeBytes = image.blockSizeBytes === undefined ? config.pools[0]!.blockSizeBytes : rethrowAsArgument(() => parseBlockSize(image.blockSizeBytes))
  return {sizeBytes: image.sizeBytes, blockSizeBytes}
}

function rethrowAsArgument<T>(fn: () => T): T {
  try {
    return fn()
  } catch (error) {
    if (error instanceof ShmrError) throw new ShmrError('BAD_ARGUMENT', error.message)
    throw error
  }
}

function checkEmpty(config: ShmrConfig): void {
  if (MetaStore.exists(config.metadataDir)) {
    throw new ShmrError('FS_EXISTS', `a filesystem already exists in ${config.metadataDir}`, {hint: 'mount it, or choose an empty metadata directory'})
  }
  refuseContents(config.metadataDir, 'metadata directory')
  for (const pool of config.pools) {
    for (const drive of pool.drives) {
      if (drive.bucket) continue
      const identity = readDriveIdentity(drive.dir)
      if (identity) {
        throw new ShmrError('FS_EXISTS', `drive ${drive.name}: ${drive.dir} already belongs to filesystem ${identity.filesystemUuid}`,
          {hint: 'give each filesystem its own drive directories'})
      }
      refuseContents(drive.dir, `drive ${drive.name}:`)
    }
  }
}

function refuseContents(dir: string, what: string): void {
  const entries = fs.readdirSync(dir).filter((entry) => !IGNORABLE_DIR_ENTRIES.includes(entry))
  if (entries.length === 0) return
  const shown = entries.slice(0, 3).join(', ') + (entries.length > 3 ? `, … (${entries.length} entries)` : '')
  throw new ShmrError('NOT_EMPTY', `${what} ${dir} is not empty (holds ${shown})`, {hint: 'shmr only initialises empty directories; move those files away first'})
}

/** Removes what init wrote to the drives, only where the identity is this run's own. */
function undoDrives(dirs: readonly string[], uuid: string): void {
  for (const dir of dirs) {
    try {
      if (readDriveIdentity(dir)?.filesystemUuid !== uuid) continue
      fs.rmSync(path.join(dir, DRIVE_IDENTITY_FILE), {force: true})
    } catch {
      // A damaged identity file from this very run: leave it, the error being thrown says why.
    }
    fs.rmSync(path.join(dir, DRIVE_DATA_DIR), {recursive: true, force: true})
  }
}

/** Bucket drives must hold nothing yet under their prefix (a bucket that does not exist yet is created). */
async function checkBucketsEmpty(buckets: readonly BucketDrive[]): Promise<void> {
  for (const bucket of buckets) {
    const identity = await bucket.readIdentity().catch((error: unknown) => {
      if (isShmrError(error, 'CORRUPT')) return undefined
      throw error
    })
    if (identity) {
      throw new ShmrError('FS_EXISTS', `drive ${bucket.name}: ${bucket.location} already belongs to filesystem ${identity.filesystemUuid}`, {hint: 'give each filesystem its own buckets or prefixes'})
    }
    if (!await bucket.isEmpty()) {
      throw new ShmrError('NOT_EMPTY', `drive ${bucket.name}: ${bucket.location} is not empty`, {hint: 'shmr only initialises empty buckets and prefixes; use another prefix, or empty it first'})
    }
  }
}

async function undoBucket(bucket: BucketDrive, uuid: string): Promise<void> {
  try {
    if ((await bucket.readIdentity())?.filesystemUuid === uuid) await bucket.removeFile(DRIVE_IDENTITY_FILE)
  } catch {
    // Unreachable or damaged: the error being thrown says why; the identity left names this run's filesystem, which never opened.
  }
}
