import fs from 'node:fs'
import path from 'node:path'
import type {ShmrConfig} from '../config/types.js'
import {ShmrError} from '../errors.js'
import {ExclusiveLock} from '../meta/exclusiveLock.js'
import {MetaStore} from '../meta/metaStore.js'
import {writeNewFile, syncPath} from '../pools/durableFile.js'
import {PoolSet} from '../pools/poolSet.js'
import {snapshotDrivesOf, writeSnapshots, type SnapshotsWritten} from './driveSnapshots.js'
import {packSnapshot} from './snapshotFile.js'

export type BackupMetaReport =
  | {readonly to: 'drives'; readonly snapshot: SnapshotsWritten}
  | {readonly to: 'file'; readonly file: string; readonly seq: number; readonly bytes: number; readonly seconds: number}

/**
 * `shmr backup-meta`: a snapshot of the metadata store, to every drive (offline: the mount writes
 * its own when it stops) or to one file anywhere (also beside a running mount: the store as of
 * its last commit). The file carries the seq of the drives' newest, so it never outranks a
 * snapshot written after it.
 */
export async function runBackupMeta(config: ShmrConfig, options: {output?: string}): Promise<BackupMetaReport> {
  const startedMs = Date.now()
  const mounted = ExclusiveLock.holder(config.metadataDir)?.purpose === 'mount'
  if (mounted && options.output === undefined) {
    throw new ShmrError('LOCKED', 'the filesystem is mounted: it writes a snapshot to the drives itself when it stops', {
      hint: 'write one elsewhere now with -o FILE, or unmount first',
    })
  }
  const output = options.output === undefined ? undefined : path.resolve(options.output)
  if (output !== undefined) checkOutput(output)
  const lock = mounted ? undefined : ExclusiveLock.acquire(config.metadataDir, 'backup-meta')
  let store: MetaStore | undefined
  try {
    store = await MetaStore.open(config.metadataDir, {readOnly: mounted})
    const pools = await PoolSet.open(config, store.superblock, {allowUnavailable: true})
    if (output === undefined) return {to: 'drives', snapshot: await writeSnapshots(store, snapshotDrivesOf(pools))}
    const drives = snapshotDrivesOf(pools)
    const seq = Math.max(0, ...(await Promise.all(drives.map(async (drive) => (await drive.list())[0]?.seq ?? 0))))
    const bytes = packSnapshot(store.dump()).encode(seq, new Date().toISOString())
    const temp = `${output}.tmp-${process.pid}`
    await writeNewFile(temp, bytes)
    fs.renameSync(temp, output)
    await syncPath(path.dirname(output))
    return {to: 'file', file: output, seq, bytes: bytes.length, seconds: (Date.now() - startedMs) / 1000}
  } finally {
    await store?.close()
    lock?.release()
  }
}

/** Refuses, before anything is read, an output that exists or whose directory does not. */
function checkOutput(output: string): void {
  if (fs.existsSync(output)) throw new ShmrError('EXISTS', `${output} already exists`, {hint: 'name a new file; backup-meta never overwrites one'})
  const dir = path.dirname(output)
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new ShmrError('NOT_FOUND', `directory ${dir} does not exist`, {hint: `create it first (mkdir -p ${dir})`})
}
