import fs from 'node:fs'
import path from 'node:path'
import {execa} from 'execa'
import {BlockStore} from '../blocks/blockStore.js'
import type {ShmrConfig} from '../config/types.js'
import {ShmrError, systemErrorCode} from '../errors.js'
import {startControlServer, type ControlServer} from '../control/controlServer.js'
import {controlHandlers} from '../control/serverHandlers.js'
import {ServerTasks} from '../control/serverTasks.js'
import {CONTROL_SOCKET_FILE, METRICS_FILE} from '../format/constants.js'
import {ShmrFs} from '../fs/shmrFs.js'
import {Metrics} from '../metrics/metrics.js'
import {MountTraffic} from '../blocks/mountTraffic.js'
import {MetricsWriter} from '../metrics/metricsWriter.js'
import {collectTombstones} from '../gc/collectTombstones.js'
import {ExclusiveLock} from '../meta/exclusiveLock.js'
import {MetaStore} from '../meta/metaStore.js'
import {blocksAddon} from '../native/blocksAddon.js'
import {PoolSet} from '../pools/poolSet.js'
import {SHORTCUT_XATTRS} from './absentXattrs.js'
import {FuseContext} from './context.js'
import type {Log} from '../log.js'
import {dispatcher} from './dispatch.js'
import {fuseAddon} from './fuseAddon.js'
import {setKernelReadAhead} from './kernelReadAhead.js'
import {clearDeadMount, describeDeadMount, findDeadMount} from './deadMount.js'
import {describeHolders, mountHolders} from './mountHolders.js'
import {isMounted} from './mountTable.js'
import {FuseSession} from './session.js'
import {describePrivate, makePrivate} from '../pools/privateModes.js'
import {probeStore} from '../meta/storeProbe.js'
import type {Namespace} from '../fs/namespace.js'
import type {DegradedState} from '../control/protocol.js'
import {unreadableFiles} from '../inspect/unreadableFiles.js'
import {snapshotDrivesOf, writeSnapshots} from '../recovery/driveSnapshots.js'
import {describeSnapshotsWritten} from '../recovery/describeSnapshots.js'

/** How often dirty data and tombstones are looked at, and the external unmount is checked for. */
const TICK_MS = 1000
/**
 * The core's reclaimer deletes superseded block files as soon as their burial is durable; the
 * periodic collection takes the rest (those a read was using then, those left by a crash) once
 * they are this old, when the commit that buried them is surely durable.
 */
const TOMBSTONE_GRACE_MS = 10_000
/**
 * Block flushes in flight at most. Each is a write past the page cache plus its share of a group
 * commit (fsyncs, one transaction), so the disk stays busy only with many at once: 8 -> 32 took
 * a 1 GiB dd from 506-691 to 670-821 MB/s here. Their blocks cannot be evicted meanwhile, so
 * together they take at most an eighth of the cache.
 */
const MAX_FLUSHING_BLOCKS = 32
/**
 * How long a stopping server waits for its FUSE session to end after unmounting; still running
 * then, the mount was detached lazily with files open.
 */
/** Unreadable files a degraded mount names in its log line (all of them: shmr inspect files). */
const UNREADABLE_NAMED = 20
const SESSION_EXIT_WAIT_MS = 2000
/** The largest request the kernel sends (libfuse 3's FUSE_MAX_MAX_PAGES, 256 pages): one default block per write. */
const MAX_REQUEST_BYTES = 1024 * 1024
/**
 * Requests the kernel sends in the background (read-ahead) before it waits; it counts itself
 * congested at three quarters of it. Its default, 12, was reached by one reader of an archived file
 * while a block loaded (1 MiB requests, the next window sent before the last was answered): the
 * kernel then drops the read-ahead pages it had set aside and reads each later on its own, a page
 * at a time and megabytes behind the reader's front, where the binding's reading threads took it
 * for a random read and read its chunk from the drives a second time (archiveReads.test, 5 runs
 * in 108; with 4, every run of 6; with 64, none of 36).
 */
const KERNEL_BACKGROUND_REQUESTS = 64

function flushSlots(cacheBytes: number, blockSizeBytes: number): number {
  return Math.max(2, Math.min(MAX_FLUSHING_BLOCKS, Math.floor(cacheBytes / 8 / blockSizeBytes)))
}

export interface ServeOptions {
  /** Overrides the config's mount point. */
  readonly mountpoint?: string
  readonly log: Log
}

/** A mounted filesystem, served until `stop` (or an external unmount, which `stopped` reports). */
export interface Server {
  readonly mountpoint: string
  /** Resolves when the server has stopped, for whatever reason. */
  readonly stopped: Promise<void>
  stop(reason: string): Promise<void>
}

/**
 * Mounts the filesystem: takes the exclusive lock, opens the metadata store and the drives
 * (refusing any drive that is missing or not this filesystem's), checks the mount point, and
 * serves FUSE requests. Every way of stopping flushes all data and commits before unmounting.
 */
export async function serveFilesystem(config: ShmrConfig, options: ServeOptions): Promise<Server> {
  const mountpoint = resolveMountpoint(options.mountpoint ?? config.mountpoint)
  checkFuseAvailable()
  // Loaded now, so that a missing addon refuses the mount instead of failing every read; a
  // long-lived server's freed buffers go back to the system (the memory tests bound its RSS).
  blocksAddon().pinMmapThreshold()
  // Before the lock is taken: the stale lock is what says the dead mount is this filesystem's.
  const dead = await findDeadMount(config.metadataDir)
  if (dead) {
    await clearDeadMount(config.metadataDir, dead)
    options.log(describeDeadMount(dead))
  }
  const lock = ExclusiveLock.acquire(config.metadataDir, 'mount', mountpoint)
  let store: MetaStore | undefined
  try {
    await probeStore(config.metadataDir, {write: true})
    store = await MetaStore.open(config.metadataDir)
    const pools = await PoolSet.open(config, store.superblock, {degradedArchive: true})
    const madePrivate = describePrivate(makePrivate(config))
    if (madePrivate) options.log(madePrivate)
    checkMountpoint(mountpoint)
    const metrics = new Metrics()
    const blocks = new BlockStore(pools, {
      shardRead: (drive, bytes) => metrics.driveIo('read', drive.poolName, drive.name, bytes),
      shardWritten: (drive, bytes) => metrics.driveIo('write', drive.poolName, drive.name, bytes),
      reconstructed: () => metrics.reconstructed(),
    })
    // A local filesystem's contract: fsync, fsync of a directory and unmount wait for the disk;
    // creates, renames, closes and flushed blocks do not, nor their commits (see docs/FORMAT.md,
    // "Durability").
    store.deferWrites()
    store.onAbandoned = (transactions) => options.log(`stopping with the metadata disk full: the changes of ${transactions} operation(s) since the last that could be committed are lost`, 'error')
    let session: FuseSession | undefined
    let context: FuseContext | undefined
    const core = new ShmrFs(store, blocks, pools, {
      cacheBytes: config.mount.cacheBytes, flushAfterMs: config.mount.flushAfterMs, maxFlushing: flushSlots(config.mount.cacheBytes, pools.writePool.blockSizeBytes),
      onCacheLookup: (hit) => metrics.cacheLookup(hit),
      // The kernel keeps attributes (attributes.ts): what shmr changes by itself, it is told of.
      onStoredChange: (ino) => session?.addon.invalidateInode(ino),
      // The binding reads open files itself from their stored layout (readPlans.ts) until they change.
      onDataChange: (ino) => context?.readPlans.drop(ino),
    }, options.log)
    const degraded = checkDegraded(config, store, pools, core.namespace, mountpoint, options.log)
    const recovered = await core.namespace.recoverOrphans()
    if (recovered > 0) options.log(`reclaimed ${recovered} file(s) left open and unlinked by a crash`)
    context = new FuseContext(core, options.log, metrics)
    try {
      session = new FuseSession(mountpoint, {
        allowOther: config.mount.allowOther, defaultPermissions: config.mount.defaultPermissions,
        fsname: `shmr:${path.basename(config.metadataDir)}`, subtype: 'shmr', timeoutMs: config.mount.requestTimeoutMs,
        connection: {maxWrite: MAX_REQUEST_BYTES, maxReadahead: config.mount.readAheadBytes, maxBackground: KERNEL_BACKGROUND_REQUESTS, shortcutXattrs: SHORTCUT_XATTRS},
      }, dispatcher(context))
    } catch (error) {
      if (error instanceof ShmrError) throw error
      throw new ShmrError('UNAVAILABLE', `cannot mount at ${mountpoint}: ${(error as Error).message}`, {
        hint: 'check that /dev/fuse is usable and, for allowOther as a non-root user, that /etc/fuse.conf has user_allow_other',
      })
    }
    context.bind(session)
    const addon = session.addon
    context.absentXattrs.attach(addon)
    context.readPlans.attach(addon)
    const readPlans = context.readPlans
    metrics.gatherBeforeRender(() => readPlans.tally(metrics, (id) => pools.drive(id)))
    blocks.yieldTo(new MountTraffic(() => {
      const [tallied, untallied] = [metrics.servedSoFar(), readPlans.untallied()]
      return {bytes: tallied.bytes + untallied.bytes, requests: tallied.requests + untallied.requests}
    }, config.mount.busyAboveBytesPerSecond, (busy) => blocksAddon().setMountBusy(busy)))
    const readAhead = await setKernelReadAhead(mountpoint, config.mount.readAheadBytes)
    if (readAhead.problem) options.log(`kernel read-ahead left at ${readAhead.bytes / 1024} KiB: ${readAhead.problem}`, 'warning')
    core.data.kernelReadsAhead(readAhead.bytes)
    const served = {config, core, store, mountpoint, degraded, invalidate: (ino: number) => session?.addon.invalidateInode(ino)}
    const tasks = new ServerTasks(served, options.log)
    tasks.schedule({everyMs: config.mount.tierEveryMs, atFill: config.mount.tierAtFill})
    const control = await startControlServer(path.join(config.metadataDir, CONTROL_SOCKET_FILE), controlHandlers(served, tasks), options.log)
    return new RunningServer(mountpoint, core, store, lock, options.log, new MetricsWriter(metrics, path.join(config.metadataDir, METRICS_FILE)), session, control, tasks)
  } catch (error) {
    await store?.close()
    lock.release()
    throw error
  }
}

class RunningServer implements Server {
  readonly stopped: Promise<void>
  private resolveStopped!: () => void
  private stopping: Promise<void> | undefined
  /** A stop was refused because the mount was busy: the next one detaches it lazily regardless. */
  private refusedBusy = false
  private readonly timer: NodeJS.Timeout
  private ticking = false

  constructor(readonly mountpoint: string, private readonly core: ShmrFs, private readonly store: MetaStore,
    private readonly lock: ExclusiveLock, private readonly log: Log, private readonly metrics: MetricsWriter, private readonly session: FuseSession,
    private readonly control: ControlServer, private readonly tasks: ServerTasks) {
    this.stopped = new Promise((resolve) => { this.resolveStopped = resolve })
    this.timer = setInterval(() => void this.tick(), TICK_MS)
  }

  /**
   * Like umount(8), refuses while programs hold files or directories in the mount, saying which,
   * and keeps serving; asked again, detaches it lazily regardless (they then get ENOTCONN).
   */
  stop(reason: string): Promise<void> {
    this.stopping ??= this.attemptStop(reason)
    return this.stopping
  }

  /** Background work: idle dirty blocks, old tombstones, and noticing `fusermount3 -u`. */
  private async tick(): Promise<void> {
    if (this.ticking || this.stopping) return
    this.ticking = true
    try {
      await this.core.data.flushIdle()
      await collectTombstones(this.store, this.core.pools, TOMBSTONE_GRACE_MS, {blocks: this.core.blocks})
      await this.metrics.writeIfDue()
      if (!await isMounted(this.mountpoint)) this.stopping ??= this.shutdown('unmounted from outside', false)
    } catch (error) {
      this.log(`background work failed: ${(error as Error).message}`, 'error')
    } finally {
      this.ticking = false
    }
  }

  private async attemptStop(reason: string): Promise<void> {
    const forced = this.refusedBusy
    const outcome = await unmountFuse(this.mountpoint, forced)
    if (outcome === 'busy') {
      const holders = await mountHolders(this.mountpoint)
      this.log(`not stopping (${reason}): ${this.mountpoint} is in use${holders.length > 0 ? ` by ${describeHolders(holders)}` : ''}. `
        + 'Close those files or leave the directory, then stop again; or stop once more now to detach it lazily, '
        + 'after which they get errors (ENOTCONN) and what they have not yet written is lost', 'warning')
      this.refusedBusy = true
      this.stopping = undefined
      return
    }
    if (outcome === 'lazily') {
      this.log(`forced (${reason}): ${this.mountpoint} detached lazily; programs still holding files there get errors (ENOTCONN) from now on, and what they have not yet written is lost`, 'warning')
    }
    await this.shutdown(reason, forced)
  }

  private async shutdown(reason: string, forced: boolean): Promise<void> {
    this.log(`stopping (${reason}): writing out buffered data`)
    clearInterval(this.timer)
    // Each step goes on whatever the one before met: a block that cannot be written out (its
    // stored copy gone, the pool full) must not leave the mount behind, dead, when the server exits.
    const step = async (work: () => Promise<unknown>): Promise<void> => {
      try {
        await work()
      } catch (error) {
        this.log(`error while stopping: ${(error as Error).message}`, 'error')
      }
    }
    try {
      await step(() => this.tasks.stop('the filesystem is being unmounted'))
      await step(() => this.control.close())
      await step(() => this.core.data.flushAll())
      // Unmounted, the session ends at once. Detached lazily (umount -l, shmr umount --lazy) with
      // files still open, it ends only once they are closed: serve them until then, or they would
      // get ENOTCONN and lose what they write.
      const ended = await Promise.race([this.session.exited.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), SESSION_EXIT_WAIT_MS).unref())])
      if (!ended && !forced) {
        this.log(`${this.mountpoint} was detached lazily with files still open: serving them until they are closed`)
        await this.session.exited
      }
      await step(() => this.core.data.flushAll())
      // So that the figures written at stop count every block read, and no read outlives the store.
      await step(() => this.core.data.settleLoads())
      await step(() => this.core.reclaimer.settled())
      await step(() => collectTombstones(this.store, this.core.pools, 0, {blocks: this.core.blocks}))
      // What was renamed, chmod-ed or deleted through the mount, told to the drives: names outlive the metadata disk.
      await step(async () => {
        const written = await writeSnapshots(this.store, snapshotDrivesOf(this.core.pools))
        this.log(describeSnapshotsWritten(written), written.failed.length > 0 ? 'warning' : 'info')
      })
      await step(() => this.metrics.write())
      // A session forced off lazily ends only once its files close: it must not keep the process alive.
      this.session.addon.unref()
    } finally {
      await this.store.close()
      this.lock.release()
      this.log('stopped')
      this.resolveStopped()
    }
  }
}

/**
 * Archive drives that cannot be used are left out (PoolSet's degradedArchive): one line each says
 * why, and the files that cannot be read without them are named. With mount.refuseUnreadable,
 * such files refuse the mount instead.
 */
function checkDegraded(config: ShmrConfig, store: MetaStore, pools: PoolSet, namespace: Namespace, mountpoint: string, log: Log): DegradedState | undefined {
  if (pools.problems.length === 0) return undefined
  for (const problem of pools.problems) log(`${problem.message}: served degraded, its shards rebuilt from the other drives`, 'warning')
  const unreadable = unreadableFiles(store, pools, namespace, mountpoint)
  const state = {drives: pools.problems.map((problem) => ({name: problem.drive, problem: problem.message})), unreadableFiles: unreadable.length}
  if (unreadable.length === 0) return state
  const named = `${unreadable.length} file(s) cannot be read with ${pools.problems.length} drive(s) gone: ${unreadable.slice(0, UNREADABLE_NAMED).join(', ')}${unreadable.length > UNREADABLE_NAMED ? ', …' : ''}`
  if (config.mount.refuseUnreadable) {
    throw new ShmrError('DRIVE_MISSING', named, {hint: 'bring the drives back, or set mount.refuseUnreadable: false to serve the rest'})
  }
  log(`${named} (shmr inspect files lists where each file's parts are)`, 'error')
  return state
}

/**
 * Unmounts through fusermount, asynchronously: a synchronous call would block the very thread
 * that has to answer the kernel's last requests. A mount that stays busy for a few tries (files
 * open, a shell inside) is left mounted, or, when `lazily`, detached lazily.
 */
async function unmountFuse(mountpoint: string, lazily: boolean): Promise<'unmounted' | 'busy' | 'lazily'> {
  const fusermount = 'fusermount3'
  for (let attempt = 0; attempt < 5; attempt++) {
    if (!await isMounted(mountpoint)) return 'unmounted'
    const result = await execa(fusermount, ['-u', mountpoint], {reject: false})
    if (result.exitCode === 0) return 'unmounted'
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  if (!lazily) return 'busy'
  await execa(fusermount, ['-uz', mountpoint], {reject: false})
  return 'lazily'
}

function checkFuseAvailable(): void {
  if (!fs.existsSync('/dev/fuse')) {
    throw new ShmrError('UNAVAILABLE', 'FUSE is not available: /dev/fuse does not exist', {hint: 'load the fuse kernel module (modprobe fuse), or run where FUSE is allowed'})
  }
  const hasFusermount = ['/usr/bin/fusermount3', '/bin/fusermount3'].some((file) => fs.existsSync(file))
  if (!hasFusermount) throw new ShmrError('UNAVAILABLE', 'FUSE is not available: fusermount3 is not installed', {hint: 'install Debian\'s fuse3 package'})
  fuseAddon()
}

/**
 * The mount point as the kernel's mount table will name it, symlinks resolved: the server watches
 * the table for its own mount, and a path through a symlink never matched it, so the server took
 * itself for unmounted from outside a second after mounting.
 */
function resolveMountpoint(requested: string): string {
  const absolute = path.resolve(requested)
  try {
    return fs.realpathSync(absolute)
  } catch {
    // checkMountpoint says what is wrong with it.
    return absolute
  }
}

function checkMountpoint(mountpoint: string): void {
  let entries: string[]
  try {
    if (!fs.statSync(mountpoint).isDirectory()) throw new ShmrError('NOT_DIR', `mount point ${mountpoint} is not a directory`)
    entries = fs.readdirSync(mountpoint)
  } catch (error) {
    const code = systemErrorCode(error)
    if (code === 'ENOENT') throw new ShmrError('NOT_FOUND', `mount point ${mountpoint} does not exist`, {hint: `create it: mkdir -p ${mountpoint}`})
    if (code === 'ENOTCONN') {
      throw new ShmrError('LOCKED', `mount point ${mountpoint} is a dead FUSE mount`, {hint: `clear it with fusermount3 -u ${mountpoint}`})
    }
    throw error
  }
  if (entries.length > 0) {
    throw new ShmrError('NOT_EMPTY', `mount point ${mountpoint} is not empty (holds ${entries.slice(0, 3).join(', ')}${entries.length > 3 ? ', …' : ''})`, {
      hint: 'mount on an empty directory',
    })
  }
}
