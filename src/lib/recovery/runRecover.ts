import fs from 'node:fs'
import fsp from 'node:fs/promises'
import path from 'node:path'
import {describeDrive} from '../config/objectStores.js'
import {BucketDrive} from '../pools/bucketDrive.js'
import {bucketIdentityProblem} from '../pools/poolSet.js'
import {bucketShelf} from './bucketSnapshots.js'
import type {PoolRole, ShmrConfig} from '../config/types.js'
import type {FoundShard} from '../decode/scanShards.js'
import {ShmrError, systemErrorCode} from '../errors.js'
import {DRIVE_DATA_DIR, IGNORABLE_DIR_ENTRIES, PRIVATE_DIR_MODE, SNAPSHOT_DIR} from '../format/constants.js'
import {parseShardName} from '../format/shardName.js'
import {ExclusiveLock} from '../meta/exclusiveLock.js'
import {META_FILE, MetaStore} from '../meta/metaStore.js'
import type {DriveEntry} from '../meta/records.js'
import {readDriveIdentity, writeDriveIdentity} from '../pools/driveIdentity.js'
import {listDataFiles} from '../pools/listDataFiles.js'
import {listSnapshots, newestGoodSnapshot, type RejectedSnapshot} from './driveSnapshots.js'
import {planRecovery, snapshotBlockFiles, type DriveListing, type RecoveryPlan, type SnapshotBlockFiles} from './planRecovery.js'
import {BadSnapshot, decodeSnapshot, type Snapshot} from './snapshotFile.js'

export interface RecoverOptions {
  readonly dryRun: boolean
  /** Move an existing metadata store aside instead of refusing. */
  readonly force: boolean
  /** A snapshot file to recover from (`shmr backup-meta -o`), instead of the drives' newest. */
  readonly from?: string
}

export interface RecoverReport extends Omit<RecoveryPlan, 'dump'> {
  readonly dryRun: boolean
  readonly snapshot: {readonly seq: number; readonly createdAt: string; readonly formatVersion: number; readonly file: string}
  /** Snapshot copies at least as new as the one used that failed their checks. */
  readonly rejectedSnapshots: readonly RejectedSnapshot[]
  /** Drives given back their identity (a lost write pool's, recreated empty). */
  readonly drivesSetUp: readonly string[]
  /** Archive drives whose directory is gone: nothing on them was counted; `verify --repair` restores them onto a replacement. */
  readonly drivesMissing: readonly string[]
  /** Where an existing store was moved (--force). */
  readonly storeMovedAside?: string
  readonly seconds: number
}

interface ConfiguredDrive {
  readonly name: string
  readonly pool: string
  readonly role: PoolRole
  /** The directory, or for a bucket drive where it is (for messages). */
  readonly dir: string
  /** Set for a bucket drive (an archive pool's). */
  readonly bucket?: BucketDrive
}

/**
 * `shmr recover`: rebuilds the metadata store from the newest good snapshot on the drives (or a
 * snapshot file) and what the drives hold (planRecovery). Refuses an existing store unless
 * forced (then moves it aside, never deletes it), and refuses drives of another filesystem or at
 * swapped paths; only then writes: the store, and the identity of drives that lost theirs (a
 * write pool recreated empty). Shard files are only listed, never written.
 */
export async function runRecover(config: ShmrConfig, options: RecoverOptions): Promise<RecoverReport> {
  const startedMs = Date.now()
  const storeExists = MetaStore.exists(config.metadataDir)
  if (storeExists && !options.force) {
    throw new ShmrError('FS_EXISTS', `a metadata store already exists in ${config.metadataDir}; recover does not touch it`, {
      hint: '--force moves it aside (to shmr.mdb.before-recover-<time>) and recovers; --dry-run shows what would be restored',
    })
  }
  const drives: ConfiguredDrive[] = config.pools.flatMap((pool) => pool.drives.map((drive) => ({
    name: drive.name, pool: pool.name, role: pool.role, dir: describeDrive(drive),
    ...(drive.bucket ? {bucket: new BucketDrive(0, drive.name, pool.name, drive.bucket)} : {}),
  })))
  const uuid = await identityUuid(drives)
  const {snapshot, file, rejected} = options.from ? readSnapshotFile(options.from) : await newestOnDrives(drives, uuid)
  const superblock = snapshot.dump.superblock
  const {setUp, missing} = await drivesToSetUp(drives, superblock.drives, superblock.uuid)
  const idByName = new Map(superblock.drives.map((entry) => [entry.name, entry.id]))
  const blockFiles = snapshotBlockFiles(snapshot.dump)
  const {listings, unmatched, driveOfFile} = await listDrives(drives, idByName, blockFiles)
  const plan = planRecovery(snapshot.dump, blockFiles, listings, unmatched, (shardFile) => driveOfFile.get(shardFile))
  const {dump, ...planned} = plan
  const report = {
    ...planned, dryRun: options.dryRun, rejectedSnapshots: rejected, drivesSetUp: setUp.map((drive) => drive.name), drivesMissing: missing.map((drive) => drive.name),
    snapshot: {seq: snapshot.header.seq, createdAt: snapshot.header.createdAt, formatVersion: snapshot.header.formatVersion, file},
  }
  if (options.dryRun) return {...report, seconds: (Date.now() - startedMs) / 1000}

  makeDir(config.metadataDir)
  const lock = ExclusiveLock.acquire(config.metadataDir, 'recover')
  try {
    const storeMovedAside = storeExists ? moveStoreAside(config.metadataDir) : undefined
    for (const drive of setUp) {
      const entry = superblock.drives.find((candidate) => candidate.name === drive.name)!
      makeDir(drive.dir)
      makeDir(path.join(drive.dir, DRIVE_DATA_DIR))
      await writeDriveIdentity(drive.dir, {filesystemUuid: superblock.uuid, driveId: entry.id, driveName: entry.name, pool: entry.pool, formatVersion: superblock.formatVersion})
    }
    await (await MetaStore.restore(config.metadataDir, dump)).close()
    // Opened once for writing: a snapshot of an older format is migrated forward now.
    await (await MetaStore.open(config.metadataDir)).close()
    return {...report, storeMovedAside, seconds: (Date.now() - startedMs) / 1000}
  } finally {
    lock.release()
  }
}

/** The filesystem the configured drives belong to, by their identity files (undefined when none has one). */
async function identityUuid(drives: readonly ConfiguredDrive[]): Promise<string | undefined> {
  const uuids = new Set<string>()
  for (const drive of drives) {
    const identity = drive.bucket ? await drive.bucket.readIdentity().catch(() => undefined) : fs.existsSync(drive.dir) ? readDriveIdentity(drive.dir) : undefined
    if (identity) uuids.add(identity.filesystemUuid)
  }
  if (uuids.size > 1) {
    throw new ShmrError('DRIVE_FOREIGN', `the configured drives belong to ${uuids.size} filesystems (${[...uuids].join(', ')})`, {hint: 'fix the config so every drive is of the filesystem to recover'})
  }
  return [...uuids][0]
}

function readSnapshotFile(file: string): {snapshot: Snapshot; file: string; rejected: RejectedSnapshot[]} {
  let bytes: Buffer
  try {
    bytes = fs.readFileSync(file)
  } catch (error) {
    throw new ShmrError(systemErrorCode(error) === 'ENOENT' ? 'NOT_FOUND' : 'IO', `cannot read ${file}: ${(error as Error).message}`)
  }
  try {
    return {snapshot: decodeSnapshot(bytes), file: path.resolve(file), rejected: []}
  } catch (error) {
    if (error instanceof BadSnapshot) throw new ShmrError('CORRUPT', `${file} is not a good metadata snapshot: ${error.message}`)
    throw error
  }
}

async function newestOnDrives(drives: readonly ConfiguredDrive[], uuid: string | undefined): Promise<{snapshot: Snapshot; file: string; rejected: readonly RejectedSnapshot[]}> {
  const files = (await Promise.all(drives.map((drive) => (drive.bucket ? bucketShelf(drive.bucket).list().catch(() => [])
    : fs.existsSync(drive.dir) ? listSnapshots(drive.dir) : [])))).flat()
  const newest = await newestGoodSnapshot(files, uuid)
  if ('snapshot' in newest) return newest
  throw new ShmrError('NOT_FOUND', files.length === 0
    ? `no metadata snapshot on the configured drives (none has a ${SNAPSHOT_DIR} directory)`
    : `none of the ${files.length} metadata snapshot(s) on the drives is good`, {
    details: newest.rejected.map(({file, reason}) => `${file}: ${reason}`),
    hint: 'give one written by `shmr backup-meta -o FILE` with --from FILE; `shmr decode DIR...` rebuilds files by number without any',
  })
}

/**
 * The drives whose identity recover writes: those of the snapshot's filesystem that have none
 * (empty, holding only this filesystem's files, or a write pool drive whose directory is gone:
 * recreated empty), and the archive drives whose directory is gone. Refuses, before anything is
 * written, a configured drive the snapshot does not know and one of another filesystem or at
 * another drive's path.
 */
async function drivesToSetUp(drives: readonly ConfiguredDrive[], entries: readonly DriveEntry[], uuid: string): Promise<{setUp: ConfiguredDrive[]; missing: ConfiguredDrive[]}> {
  const setUp: ConfiguredDrive[] = []
  const missing: ConfiguredDrive[] = []
  for (const drive of drives) {
    const entry = entries.find((candidate) => candidate.name === drive.name)
    if (!entry) throw new ShmrError('BAD_CONFIG', `drive ${drive.name} (${drive.dir}) is in the config but not in the snapshot's filesystem ${uuid}`, {hint: 'remove it from the config to recover, and add it back afterwards'})
    if (entry.pool !== drive.pool) throw new ShmrError('BAD_CONFIG', `drive ${drive.name} belongs to pool ${entry.pool}, but the config puts it in pool ${drive.pool}`)
    if (drive.bucket) {
      // An archive drive, checked as opening the pools checks it: one that cannot be reached or holds nothing is missing (verify --repair fills an empty one).
      const problem = await bucketIdentityProblem(new BucketDrive(entry.id, drive.name, drive.pool, drive.bucket.bucket), uuid)
      if (problem?.code === 'DRIVE_MISSING') missing.push(drive)
      else if (problem) throw new ShmrError(problem.code, problem.message)
      continue
    }
    if (!fs.existsSync(drive.dir)) {
      // An archive drive gone is a dead drive (its shards are rebuilt from the others); a write pool's is the lost SSD.
      if (drive.role === 'write') setUp.push(drive)
      else missing.push(drive)
      continue
    }
    const identity = readDriveIdentity(drive.dir)
    if (identity) {
      if (identity.filesystemUuid !== uuid) throw new ShmrError('DRIVE_FOREIGN', `drive ${drive.name}: ${drive.dir} belongs to another filesystem (${identity.filesystemUuid}, not ${uuid})`)
      if (identity.driveId !== entry.id) throw new ShmrError('DRIVE_MISPLACED', `drive ${drive.name}: ${drive.dir} holds drive ${identity.driveName} of this filesystem (drives mounted at swapped paths?)`)
      continue
    }
    const entriesThere = fs.readdirSync(drive.dir).filter((name) => !IGNORABLE_DIR_ENTRIES.includes(name))
    if (entriesThere.some((name) => name !== DRIVE_DATA_DIR && name !== SNAPSHOT_DIR)) {
      throw new ShmrError('DRIVE_FOREIGN', `drive ${drive.name}: ${drive.dir} is not a shmr drive (no identity file; is the drive mounted there?)`)
    }
    setUp.push(drive)
  }
  return {setUp, missing}
}

/** mkdir, private; its parent must exist (a directory whose parent is gone is a disk not mounted, not one to create). */
function makeDir(dir: string): void {
  try {
    fs.mkdirSync(dir, {mode: PRIVATE_DIR_MODE})
  } catch (error) {
    if (systemErrorCode(error) === 'EEXIST') return
    throw new ShmrError('IO', `cannot create ${dir}: ${(error as Error).message}`, {hint: 'mount the disk it belongs on, or create its parent directory'})
  }
}

/**
 * Lists every drive's data directory (names only, not a stat per file), and sizes the shard files no block of the snapshot names: those are what
 * the plan looks at by name (newer copies, files the snapshot does not know).
 */
async function listDrives(drives: readonly ConfiguredDrive[], idByName: ReadonlyMap<string, number>, blockFiles: SnapshotBlockFiles): Promise<{listings: DriveListing[]; unmatched: FoundShard[]; driveOfFile: Map<string, number>}> {
  const named = new Map<number, Set<string>>()
  for (const files of blockFiles.values()) {
    for (const file of files) {
      const set = named.get(file.drive) ?? new Set<string>()
      set.add(file.path)
      named.set(file.drive, set)
    }
  }
  const listings: DriveListing[] = []
  const unmatched: FoundShard[] = []
  const driveOfFile = new Map<string, number>()
  // Every drive at once: each is a disk of its own. A bucket that cannot be listed counts as empty (as a missing drive).
  const listed = await Promise.all(drives.map(async (drive) => (drive.bucket
    ? new Map((await drive.bucket.listAll(`${DRIVE_DATA_DIR}/`).catch(() => [])).map((object) => [object.key, object.sizeBytes]))
    : listDataFiles(drive.dir))))
  for (const [i, drive] of drives.entries()) {
    const driveId = idByName.get(drive.name)!
    const found = listed[i]!
    // A bucket's listing carries each object's size; a directory's, only names.
    const relativePaths = found instanceof Map ? [...found.keys()] : found
    listings.push({driveId, files: new Set(relativePaths)})
    for (const relative of relativePaths) {
      if (named.get(driveId)?.has(relative)) continue
      const name = parseShardName(path.basename(relative))
      if (!name) continue
      const bucket = drive.bucket
      const file = bucket ? `s3://${bucket.bucket.bucket}/${bucket.bucket.prefix}${relative}` : path.join(drive.dir, relative)
      const sizeBytes = found instanceof Map ? found.get(relative)! : (await fsp.stat(file)).size
      unmatched.push({file, name, sizeBytes, ...(bucket ? {read: (target: Uint8Array, crc: number) => bucket.readChecked(relative, target, crc)} : {})})
      driveOfFile.set(file, driveId)
    }
  }
  return {listings, unmatched, driveOfFile}
}

/** Moves an existing store (and LMDB's lock file) aside, under a name with the time: nothing is deleted. */
function moveStoreAside(dir: string): string {
  const aside = path.join(dir, `${META_FILE}.before-recover-${new Date().toISOString().replace(/[:.]/g, '-')}`)
  fs.renameSync(path.join(dir, META_FILE), aside)
  fs.rmSync(path.join(dir, `${META_FILE}-lock`), {force: true})
  return aside
}
