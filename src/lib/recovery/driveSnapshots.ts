import fs from 'node:fs/promises'
import path from 'node:path'
import {systemErrorCode} from '../errors.js'
import {PRIVATE_DIR_MODE, SNAPSHOT_DIR, SNAPSHOT_FILE_PREFIX, SNAPSHOTS_KEPT} from '../format/constants.js'
import type {MetaStore} from '../meta/metaStore.js'
import type {PoolSet} from '../pools/poolSet.js'
import {syncPath, writeNewFile} from '../pools/durableFile.js'
import {BadSnapshot, decodeSnapshot, decodeSnapshotHeader, packSnapshot, type Snapshot, type SnapshotHeader} from './snapshotFile.js'

/** A drive directory a snapshot is written to or read from. */
export interface SnapshotDrive {
  readonly name: string
  readonly dir: string
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

/** Every directory drive of every pool that can be written to now: each gets the snapshot (bucket drives do not, yet: docs/LIMITATIONS.md). */
export function snapshotDrivesOf(pools: PoolSet): SnapshotDrive[] {
  return pools.pools.flatMap((pool) => pool.drives).filter((drive) => !pools.unavailable.has(drive.id))
    .flatMap(({name, dir}) => (dir === undefined ? [] : [{name, dir}]))
}

/** A snapshot's header is read from its first bytes: this many (a header is a few hundred). */
const HEADER_READ_BYTES = 4096
const TEMP_MARK = '.tmp-'

/**
 * Writes a snapshot of `store` to every drive whose newest snapshot does not already hold what
 * the store holds: numbered one past the highest found on any drive, written whole to a
 * temporary file, fsynced, renamed into place, the directory fsynced; then each drive keeps its
 * SNAPSHOTS_KEPT newest. A drive that cannot be read or written (full, failing, gone) is
 * reported, never fatal: the others still describe everything, and the next run tries again.
 */
export async function writeSnapshots(store: MetaStore, drives: readonly SnapshotDrive[]): Promise<SnapshotsWritten> {
  const startedMs = Date.now()
  const packed = packSnapshot(store.dump())
  const uuid = store.superblock.uuid
  const failed: Array<{drive: string; message: string}> = []
  const failure = (drive: SnapshotDrive, error: unknown): void => void failed.push({drive: drive.name, message: (error as Error).message})
  const found = await Promise.all(drives.map(async (drive) => {
    try {
      return {drive, ...(await newestHeaderOn(drive.dir))}
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
      await writeSnapshotFile(drive.dir, seq, bytes!)
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

/** The seq a snapshot file's name gives, or undefined when the name is not a snapshot's. */
function snapshotSeq(name: string): number | undefined {
  const match = new RegExp(`^${SNAPSHOT_FILE_PREFIX.replace('.', '\\.')}(\\d{1,15})$`).exec(name)
  return match ? Number(match[1]) : undefined
}

/** Snapshot file names, newest first. */
function snapshotsIn(names: readonly string[]): Array<{name: string; seq: number}> {
  return names.flatMap((name) => {
    const seq = snapshotSeq(name)
    return seq === undefined ? [] : [{name, seq}]
  }).sort((a, b) => b.seq - a.seq)
}

/** A drive's snapshot files, newest first (none when it has no snapshot directory). */
export async function listSnapshots(driveDir: string): Promise<Array<{file: string; seq: number}>> {
  const dir = path.join(driveDir, SNAPSHOT_DIR)
  const names = await fs.readdir(dir).catch((error: unknown) => {
    if (systemErrorCode(error) === 'ENOENT') return []
    throw error
  })
  return snapshotsIn(names).map(({name, seq}) => ({file: path.join(dir, name), seq}))
}

/** The header of a drive's newest readable snapshot, and the highest seq any name there gives. */
async function newestHeaderOn(driveDir: string): Promise<{header?: SnapshotHeader; highestSeq: number}> {
  const snapshots = await listSnapshots(driveDir)
  for (const {file} of snapshots) {
    const header = await readHeader(file)
    if (header) return {header, highestSeq: snapshots[0]!.seq}
  }
  return {highestSeq: snapshots[0]?.seq ?? 0}
}

async function readHeader(file: string): Promise<SnapshotHeader | undefined> {
  const handle = await fs.open(file, 'r')
  try {
    const {buffer, bytesRead} = await handle.read({buffer: Buffer.alloc(HEADER_READ_BYTES), position: 0})
    return decodeSnapshotHeader(buffer.subarray(0, bytesRead))
  } catch (error) {
    if (error instanceof BadSnapshot) return undefined
    throw error
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
export async function newestGoodSnapshot(files: ReadonlyArray<{file: string; seq: number}>, uuid?: string): Promise<NewestSnapshot | {rejected: RejectedSnapshot[]}> {
  const rejected: RejectedSnapshot[] = []
  for (const {file} of [...files].sort((a, b) => b.seq - a.seq)) {
    try {
      const snapshot = decodeSnapshot(await fs.readFile(file))
      if (uuid !== undefined && snapshot.header.uuid !== uuid) {
        rejected.push({file, reason: `it is of filesystem ${snapshot.header.uuid}, not ${uuid}`})
        continue
      }
      return {snapshot, file, rejected}
    } catch (error) {
      if (!(error instanceof BadSnapshot) && systemErrorCode(error) === undefined) throw error
      rejected.push({file, reason: (error as Error).message})
    }
  }
  return {rejected}
}
