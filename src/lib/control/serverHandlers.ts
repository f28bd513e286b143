import type {ShmrConfig} from '../config/types.js'
import type {ShmrFs} from '../fs/shmrFs.js'
import {inoOfTarget} from '../fs/targets.js'
import type {MetaStore} from '../meta/metaStore.js'
import {runGc, type GcReport} from '../gc/runGc.js'
import type {ShiftReport} from '../shift/runShift.js'
import type {DrainReport} from '../drives/drainDrive.js'
import type {VerifyReport} from '../verify/runVerify.js'
import {addDriveTo, type AddedDrive} from '../drives/addDrive.js'
import {removeDriveFrom, type RemovedDrive} from '../drives/removeDrive.js'
import {moveDriveInConfig, type MovedDrive} from '../drives/replaceDrive.js'
import {driveOfConfig} from '../drives/driveConfig.js'
import type {DriveEntry} from '../meta/records.js'
import {loadConfig} from '../config/loadConfig.js'
import {ShmrError} from '../errors.js'
import {openDrive} from '../pools/openDrive.js'
import type {ControlHandlers} from './controlServer.js'
import type {CancelResult, DegradedState, FlushResult, ServerStatus} from './protocol.js'
import type {ServerTasks} from './serverTasks.js'

export interface ServedFilesystem {
  readonly config: ShmrConfig
  readonly core: ShmrFs
  readonly store: MetaStore
  readonly mountpoint: string
  /** Archive drives left out at the mount, if any. */
  readonly degraded: DegradedState | undefined
  /** Tells the kernel a file's attributes changed behind its back (a move changes st_blocks). */
  readonly invalidate: (ino: number) => void
}

/** What the server does for commands through its control socket. */
export function controlHandlers(served: ServedFilesystem, tasks: ServerTasks): ControlHandlers {
  const {core, store, mountpoint} = served
  const mountedAt = new Date().toISOString()
  return {
    status: async (): Promise<ServerStatus> => ({
      pid: process.pid, mountpoint, mountedAt, pendingBlocks: core.data.pendingBlocks(),
      tasks: tasks.current ? [tasks.current] : [], finished: tasks.finished, ...stillDegraded(served),
    }),
    flush: async ({target}): Promise<FlushResult> => {
      const startedMs = Date.now()
      const ino = target === undefined ? undefined : inoOfTarget(core.namespace, target, mountpoint)
      if (ino !== undefined && store.inodes.getInode(ino).kind === 'file') await core.data.syncFile(ino)
      else {
        // A directory, or everything: what fsync of a directory and unmount wait for, and every buffered block.
        if (ino === undefined) await core.data.flushAll()
        await store.durable()
        await core.reclaimer.settled()
      }
      return {flushed: target ?? 'all', seconds: (Date.now() - startedMs) / 1000}
    },
    migrate: async ({purpose, options}, context): Promise<ShiftReport> => tasks.migrate(purpose, options, context),
    cancel: async ({id}): Promise<CancelResult> => ({cancelled: tasks.cancel(id, 'cancelled by shmr cancel')}),
    gc: async ({graceMs}): Promise<GcReport> => runGc(served.config, {graceMs, dryRun: false}, {store, pools: core.pools, blocks: core.blocks}),
    drain: async (request, context): Promise<DrainReport> => tasks.drain(request, context),
    repair: async (request, context): Promise<VerifyReport> => tasks.repair(request, context),
    driveAdd: async ({pool, name, dir, objectStore}): Promise<AddedDrive> => {
      const added = await addDriveTo(store, currentConfig(served), {pool, name, dir, ...(objectStore === undefined ? {} : {objectStore})})
      const entry = driveOfConfig(currentConfig(served), name)
      core.pools.join(openDrive(added.id, added.pool, entry))
      return added
    },
    driveRemove: async ({name}): Promise<RemovedDrive> => {
      const entry = archiveDriveAtRest(served, tasks, name, 'remove')
      const removed = await removeDriveFrom(store, currentConfig(served), name)
      if (entry) core.pools.leave(entry.id)
      return removed
    },
    driveReplace: async ({name, dir, objectStore}): Promise<MovedDrive> => {
      const entry = archiveDriveAtRest(served, tasks, name, 'replace')
      if (!entry) throw new ShmrError('BAD_CONFIG', `drive ${name} is in the config but not part of the filesystem`)
      const from = core.pools.drive(entry.id)!.location
      const to = await moveDriveInConfig(currentConfig(served), name, dir, objectStore)
      // Served from the new place from now on: left out until the repair that follows adopts it.
      const replacement = driveOfConfig(currentConfig(served), name)
      core.pools.leave(entry.id)
      core.pools.join(openDrive(entry.id, entry.pool, replacement))
      core.pools.unavailable.add(entry.id)
      return {drive: name, from, to}
    },
  }
}

/** The drives left out at the mount that still are (a repair inside the server adopts replacements). */
function stillDegraded(served: ServedFilesystem): {degraded?: DegradedState} {
  if (!served.degraded) return {}
  const {pools} = served.core
  const out = new Set([...pools.drivesById.values()].filter((drive) => pools.unavailable.has(drive.id)).map((drive) => drive.name))
  const drives = served.degraded.drives.filter((drive) => out.has(drive.name))
  return drives.length > 0 ? {degraded: {...served.degraded, drives}} : {}
}

/** The config file as it is now: drive commands change it while the server runs. */
export function currentConfig(served: ServedFilesystem): ShmrConfig {
  return loadConfig(served.config.file, {missingDrivesAllowed: true})
}

/** A drive the server may take out or move now: an archive pool's (the mount writes to the write pool's), with no task running. */
function archiveDriveAtRest(served: ServedFilesystem, tasks: ServerTasks, name: string, what: string): DriveEntry | undefined {
  const entry = served.store.superblock.drives.find((drive) => drive.name === name)
  if (entry && served.core.pools.pool(entry.pool).role === 'write') {
    throw new ShmrError('LOCKED', `drive ${name} is a write pool drive: the mount writes there`, {hint: `unmount the filesystem, then ${what} it`})
  }
  if (tasks.current) throw new ShmrError('BUSY', `a ${tasks.current.purpose} runs in the server (task ${tasks.current.id})`, {hint: 'wait for it (shmr status) or stop it (shmr cancel)'})
  return entry
}
