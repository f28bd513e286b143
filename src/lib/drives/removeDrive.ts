import fs from 'node:fs'
import {describeDrive} from '../config/objectStores.js'
import {BucketDrive} from '../pools/bucketDrive.js'
import path from 'node:path'
import {shardCount} from '../blocks/topology.js'
import type {ShmrConfig} from '../config/types.js'
import {ShmrError} from '../errors.js'
import {DRIVE_DATA_DIR, DRIVE_IDENTITY_FILE, SNAPSHOT_DIR} from '../format/constants.js'
import {ExclusiveLock} from '../meta/exclusiveLock.js'
import {MetaStore} from '../meta/metaStore.js'
import {replaceFile} from '../pools/durableFile.js'
import {blocksOnDrive} from './blocksOnDrive.js'
import {poolOfDrive, withoutDrive} from './driveConfig.js'
import {askServer} from '../control/controlClient.js'

export interface RemovedDrive {
  readonly pool: string
  readonly name: string
  readonly dir: string
}

/**
 * `shmr drive remove NAME`: takes a drive that holds no block out of the filesystem (superblock,
 * durably) and the config file, and removes what shmr put on it (its identity, its snapshots, its
 * empty data directories; the files tombstoned there). Refuses, changing nothing, a drive that
 * any block or staged block still uses (`shmr drive drain` empties it), or one without which its
 * pool has fewer drives than its scheme needs. While mounted the server does it (an archive
 * pool's drive: the mount writes to the write pool's).
 */
export async function removeDrive(config: ShmrConfig, name: string): Promise<RemovedDrive> {
  const pool = poolOfDrive(config, name)
  if (pool.drives.length - 1 < shardCount(pool.topology)) {
    throw new ShmrError('BAD_ARGUMENT', `pool ${pool.name} would keep ${pool.drives.length - 1} drive(s); its scheme needs ${shardCount(pool.topology)}`)
  }
  if (ExclusiveLock.isMounted(config.metadataDir)) return await askServer(config.metadataDir, {op: 'driveRemove', name}) as RemovedDrive
  const lock = ExclusiveLock.acquire(config.metadataDir, 'drive remove')
  let store: MetaStore | undefined
  try {
    store = await MetaStore.open(config.metadataDir)
    return await removeDriveFrom(store, config, name)
  } finally {
    await store?.close()
    lock.release()
  }
}

/** The removal itself, from an open store (the command's, or the mount's inside its server, which then has its pools let the drive go). */
export async function removeDriveFrom(store: MetaStore, config: ShmrConfig, name: string): Promise<RemovedDrive> {
  const pool = poolOfDrive(config, name)
  const drive = pool.drives.find((candidate) => candidate.name === name)!
  const id = store.superblock.drives.find((drive) => drive.name === name)?.id
  if (id === undefined) throw new ShmrError('BAD_CONFIG', `drive ${name} is in the config but not part of the filesystem`)
  const used = [...blocksOnDrive(store, id)].length
  if (used > 0) {
    throw new ShmrError('NOT_EMPTY', `drive ${name} holds shards of ${used} block(s)`, {hint: `move them to the pool's other drives first: shmr drive drain ${name}`})
  }
  const text = withoutDrive(fs.readFileSync(config.file, 'utf8'), pool.name, name)
  await store.removeDrive(id)
  await replaceFile(config.file, Buffer.from(text))
  // What shmr put there, nothing else: the disk can be reused or given to another filesystem.
  if (drive.bucket) await new BucketDrive(id, name, pool.name, drive.bucket).removeFile(DRIVE_IDENTITY_FILE).catch(() => undefined)
  else for (const entry of [DRIVE_IDENTITY_FILE, SNAPSHOT_DIR, DRIVE_DATA_DIR]) fs.rmSync(path.join(drive.dir, entry), {recursive: true, force: true})
  return {pool: pool.name, name, dir: describeDrive(drive)}
}
