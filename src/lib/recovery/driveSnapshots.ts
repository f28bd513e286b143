import fs from 'node:fs/promises'
import path from 'node:path'
import {isShmrError, systemErrorCode} from '../errors.js'
import {PRIVATE_DIR_MODE, SNAPSHOT_DIR, SNAPSHOT_FILE_PREFIX, SNAPSHOTS_KEPT} from '../format/constants.js'
import type {MetaStore} from '../meta/metaStore.js'
import type {PoolSet} from '../pools/poolSet.js'
import {syncPath, writeNewFile} from '../pools/durableFile.js'
import {BadSnapshot, decodeSnapshot, decodeSnapshotHeader, packSnapshot, type Snapshot, type SnapshotHeader} from './snapshotFile.js'
import {BucketDrive} from '../pools/bucketDrive.js'
import {bucketShelf} from './bucketSnapshots.js'
import {HEADER_READ_BYTES, snapshotSeq, snapshotsIn} from './snapshotNames.js'

/**
 * Where a drive keeps its metadata snapshots: a directory drive's `shmr-meta/`, a bucket drive's
 * objects under PREFIX + `shmr-meta/` (src/lib/recovery/bucketSnapshots.ts).
 */
export interface SnapshotShelf {
  /** The drive's name. */
  readonly name: string
  /** Its snapshots, newest first (none when it has none). */
  list(): Promise<SnapshotCopy[]>
  /** Puts snapshot `seq` there whole and durably, then keeps only the SNAPSHOTS_KEPT newest. */
  write(seq: number, bytes: Buffer): Promise<void>
}

/** One snapshot on a drive. */
export interface SnapshotCopy {
  /** Its path, or s3://BUCKET/KEY. */
  readonly file: string
  readonly seq: number
  read(): Promise<Buffer>
  /** Its first HEADER_READ_BYTES (fewer when it is shorter). */
  readHead(): Promise<Buffer>
}

export interface SnapshotsWritten {
  /** The snapshot's number (the one the drives already held, when nothing changed since). */
  readonly seq: number
  /** Bytes of one copy (0 when every drive held it already). */
  readonly bytes: number
  /** Drives given a copy now. */
  readonly written: readonly string[]
  /** Drives whose newest snapshot already held this content. */
  readonly current: readonly string[]
  readonly failed: ReadonlyArray<{readonly drive: string; readonly message: string}>
  readonly seconds: number
}

/** Every drive of every pool that can be written to now, directory or bucket: each gets the snapshot. */
export function snapshotDrivesOf(pools: PoolSet): SnapshotShelf[] {
  return pools.pools.flatMap((pool) => pool.drives).filter((drive) => !pools.unavailable.has(drive.id))
    .map((drive) => (drive instanceof BucketDrive ? bucketShelf(drive) : directoryShelf(drive.name, drive.dir!)))
}

const TEMP_MARK = '.tmp-'

/**
 * Writes a snapshot of `store` to every drive whose newest snapshot does not already hold what
 * the store holds: numbered one past the highest found on any drive, written whole to a
 * temporary file, fsynced, renamed into place, the directory fsynced; then each drive keeps its
 * SNAPSHOTS_KEPT newest. A drive that cannot be read or written (full, failing, gone) is
 * reported, never fatal: the others still describe everything, and the next run tries again.
 */
export async function writeSnapshots(store: MetaStore, drives: readonly SnapshotShelf[]): Promise<SnapshotsWritten> {
  const startedMs = Date.now()
  const packed = packSnapshot(store.dump())
  const uuid = store.superblock.uuid
  const failed: Array<{drive: string; message: string}> = []
  const failure = (drive: SnapshotShelf, error: unknown): void => void failed.push({drive: drive.name, message: (error as Error).message})
  const found = await Promise.all(drives.map(async (drive) => {
    try {
      return {drive, ...(await newestHeaderOn(drive))}
    } catch (error) {
      failure(drive, error)
      return undefined
    }
  }))
  const readable = found.filter((entry) => entry !== undefined)
  const highest = Math.max(0, ...readable.map(({highestSeq}) => highestSeq))
  const isCurrent = (header: SnapshotHeader | undefined): boolean => header?.uuid === uuid && header.contentCrc === packed.contentCrc
  const current = readable.filter(({header}) => isCurrent(header))
  const stale = readable.filter(({header}) => !isCurrent(header))
  // Nothing changed since the drives' newest: it keeps its number; otherwise a new one.
  const seq = stale.length === 0 ? current[0]?.header?.seq ?? highest : highest + 1
  const bytes = stale.length === 0 ? undefined : packed.encode(seq, new Date().toISOString())
  const written: string[] = []
  await Promise.all(stale.map(async ({drive}) => {
    try {
      await drive.write(seq, bytes!)
      written.push(drive.name)
    } catch (error) {
      failure(drive, error)
    }
  }))
  return {
    seq, bytes: bytes?.length ?? 0, written: written.sort(), current: current.map(({drive}) => drive.name), failed,
    seconds: (Date.now() - startedMs) / 1000,
  }
}

/** A directory drive's snapshots, in its `shmr-meta/`. */
export function directoryShelf(name: string, driveDir: string): SnapshotShelf {
  return {name, list: () => listSnapshots(driveDir), write: (seq, bytes) => writeSnapshotFile(driveDir, seq, bytes)}
}

/** Writes snapshot `seq` into a drive's snapshot directory, durably, and drops all but the newest kept. */
async function writeSnapshotFile(driveDir: string, seq: number, bytes: Buffer): Promise<void> {
  const dir = path.join(driveDir, SNAPSHOT_DIR)
  const created = await fs.mkdir(dir, {mode: PRIVATE_DIR_MODE}).then(() => true, (error: unknown) => {
    if (systemErrorCode(error) === 'EEXIST') return false
    throw error
  })
  if (created) await syncPath(driveDir)
  const file = path.join(dir, `${SNAPSHOT_FILE_PREFIX}${seq}`)
  const temp = `${file}${TEMP_MARK}${process.pid}`
  await fs.rm(temp, {force: true})
  await writeNewFile(temp, bytes)
  await fs.rename(temp, file)
  await syncPath(dir)
  const names = await fs.readdir(dir)
  const kept = new Set(snapshotsIn(names).slice(0, SNAPSHOTS_KEPT).map(({name}) => name))
  // Older snapshots, and temporary files a crash left: written whole or not at all, never read.
  const dropped = names.filter((name) => !kept.has(name) && (snapshotSeq(name) !== undefined || name.includes(TEMP_MARK)))
  for (const name of dropped) await fs.rm(path.join(dir, name), {force: true})
  if (dropped.length > 0) await syncPath(dir)
}

/** A drive directory's snapshot files, newest first (none when it has no snapshot directory). */
export async function listSnapshots(driveDir: string): Promise<SnapshotCopy[]> {
  const dir = path.join(driveDir, SNAPSHOT_DIR)
  const names = await fs.readdir(dir).catch((error: unknown) => {
    if (systemErrorCode(error) === 'ENOENT') return []
    throw error
  })
  return snapshotsIn(names).map(({name, seq}) => {
    const file = path.join(dir, name)
    return {file, seq, read: () => fs.readFile(file), readHead: () => readHead(file)}
  })
}

/** The header of a drive's newest readable snapshot, and the highest seq any name there gives. */
async function newestHeaderOn(drive: SnapshotShelf): Promise<{header?: SnapshotHeader; highestSeq: number}> {
  const snapshots = await drive.list()
  for (const copy of snapshots) {
    try {
      return {header: decodeSnapshotHeader(await copy.readHead()), highestSeq: snapshots[0]!.seq}
    } catch (error) {
      if (!(error instanceof BadSnapshot)) throw error
    }
  }
  return {highestSeq: snapshots[0]?.seq ?? 0}
}

async function readHead(file: string): Promise<Buffer> {
  const handle = await fs.open(file, 'r')
  try {
    const {buffer, bytesRead} = await handle.read({buffer: Buffer.alloc(HEADER_READ_BYTES), position: 0})
    return buffer.subarray(0, bytesRead)
  } finally {
    await handle.close()
  }
}

/** A snapshot file that was set aside, and why. */
export interface RejectedSnapshot {
  readonly file: string
  readonly reason: string
}

export interface NewestSnapshot {
  readonly snapshot: Snapshot
  readonly file: string
  /** Copies newer than or as new as the one chosen that failed their checks. */
  readonly rejected: readonly RejectedSnapshot[]
}

/**
 * The newest snapshot that reads whole and checks out, of those in `files` (of filesystem `uuid`
 * when given): newest by seq, each copy checked frame by frame, a bad copy passed over for the
 * next. Undefined, with what was rejected, when none does.
 */
export async function newestGoodSnapshot(files: readonly SnapshotCopy[], uuid?: string): Promise<NewestSnapshot | {rejected: RejectedSnapshot[]}> {
  const rejected: RejectedSnapshot[] = []
  for (const {file, read} of [...files].sort((a, b) => b.seq - a.seq)) {
    try {
      const snapshot = decodeSnapshot(await read())
      if (uuid !== undefined && snapshot.header.uuid !== uuid) {
        rejected.push({file, reason: `it is of filesystem ${snapshot.header.uuid}, not ${uuid}`})
        continue
      }
      return {snapshot, file, rejected}
    } catch (error) {
      if (!(error instanceof BadSnapshot) && !isShmrError(error) && systemErrorCode(error) === undefined) throw error
      rejected.push({file, reason: (error as Error).message})
    }
  }
  return {rejected}
}
