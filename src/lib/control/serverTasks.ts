import type {Topology} from '../blocks/topology.js'
import {isShmrError, ShmrError} from '../errors.js'
import type {Log} from '../log.js'
import type {PoolSet} from '../pools/poolSet.js'
import {runRewrite} from '../rewrite/runRewrite.js'
import {runShift, type MigrationOptions, type ServerFilesystem, type ShiftReport} from '../shift/runShift.js'
import {runTier} from '../tier/runTier.js'
import {currentConfig, type ServedFilesystem} from './serverHandlers.js'
import {drainOn, type DrainReport} from '../drives/drainDrive.js'
import {verifyOn, type VerifyReport} from '../verify/runVerify.js'
import type {ControlEvent, ControlRequest, FinishedTask, MigrationPurpose, MigrationRequest, ServerTask, TaskPurpose} from './protocol.js'

/** Who asked for a task and hears of it: the command's connection (or nobody, for the schedule). */
export interface TaskEvents {
  readonly emit: (event: ControlEvent) => void
  readonly signal?: AbortSignal
  readonly scheduled?: boolean
}

/** What a task tells of its progress: the bytes it will go through, and how far it is. */
interface TaskTracker {
  readonly total: (totalBytes: number) => void
  readonly done: (doneBytes: number) => void
}

/** How long a move waits for a file to be let go (closed, written out) before leaving it for the next run. */
const QUIET_WAIT_MS = 30_000
const QUIET_POLL_MS = 100
/** How often the write pool's fill is read for mount.tierAtFill (a statfs per write drive). */
const FILL_CHECK_MS = 5000
/** After a fill-started tier that moved nothing, the fill starts none for this long. */
const FILL_RETRY_MS = 10 * 60_000
/** Ended tasks `shmr status` lists. */
const FINISHED_KEPT = 10

/**
 * The tasks a running server does, one at a time: migrations, drains and repairs for commands
 * (through the control socket) and, with mount.tierEvery, tiering by itself. Each can be cancelled; each that ends is remembered.
 */
export class ServerTasks {
  private running: {task: ServerTask; readonly abort: AbortController; readonly settled: Promise<unknown>} | undefined
  private readonly ended: FinishedTask[] = []
  private nextId = 1
  private readonly timers: NodeJS.Timeout[] = []
  /** Fill-started tiering held back until then (it moved nothing last time). */
  private fillQuietUntilMs = 0

  constructor(private readonly served: ServedFilesystem, private readonly log: Log) {}

  get current(): ServerTask | undefined {
    return this.running?.task
  }

  get finished(): readonly FinishedTask[] {
    return this.ended
  }

  /** Runs a migration inside the server; BUSY when another task runs already. */
  async migrate(purpose: MigrationPurpose, request: MigrationRequest, events: TaskEvents): Promise<ShiftReport> {
    return this.runTask(purpose, events, (signal, track) => this.runMigration(purpose, {
      ...request, dryRun: false,
      onPlan: (plan) => {
        track.total(plan.bytesToShift)
        events.emit({event: 'plan', plan})
      },
      onProgress: (doneBytes) => track.done(doneBytes),
    }, signal), (report) => ({filesShifted: report.files.shifted}))
  }

  /** `shmr drive drain` inside the server. */
  async drain(request: Extract<ControlRequest, {op: 'drain'}>, events: TaskEvents): Promise<DrainReport> {
    const {core, store} = this.served
    return this.runTask('drain', events, (signal, track) => {
      let done = 0
      return drainOn({store, pools: core.pools, blocks: core.blocks.background(), signal}, {
        name: request.name, undo: request.undo, rateBytesPerSecond: request.rateBytesPerSecond,
        onTotal: (bytes) => {
          track.total(bytes)
          events.emit({event: 'total', totalBytes: bytes})
        },
        onBytes: (bytes) => track.done((done += bytes)),
      })
    })
  }

  /** `shmr verify --repair` inside the server. */
  async repair(request: Extract<ControlRequest, {op: 'repair'}>, events: TaskEvents): Promise<VerifyReport> {
    const {core, store} = this.served
    return this.runTask('repair', events, (signal, track) => {
      let done = 0
      // Read afresh: a drive replaced while mounted is in the file, not in the config the mount began with.
      return verifyOn({store, pools: core.pools, blocks: core.blocks.background(), namespace: core.namespace, signal}, currentConfig(this.served), {
        targets: request.targets, repair: true, rateBytesPerSecond: request.rateBytesPerSecond,
        onTotal: (bytes) => {
          track.total(bytes)
          events.emit({event: 'total', totalBytes: bytes})
        },
        onBytes: (bytes) => track.done((done += bytes)),
      }, 'online')
    })
  }

  /**
   * Runs one task: BUSY when another runs already. Its progress is kept for `shmr status` and
   * sent to the command that asked; it ends remembered as done, failed or cancelled.
   */
  private async runTask<T>(purpose: TaskPurpose, events: TaskEvents, work: (signal: AbortSignal, track: TaskTracker) => Promise<T>,
    summary: (report: T) => Partial<FinishedTask> = () => ({})): Promise<T> {
    if (this.running) {
      const {task} = this.running
      throw new ShmrError('BUSY', `a ${task.purpose} runs in the server already (task ${task.id}, since ${task.startedAt})`, {hint: 'shmr status shows it; shmr cancel stops it'})
    }
    const abort = new AbortController()
    const signal = events.signal ? AbortSignal.any([events.signal, abort.signal]) : abort.signal
    const started: ServerTask = {id: this.nextId++, purpose, scheduled: events.scheduled ?? false, startedAt: new Date().toISOString(), totalBytes: 0, doneBytes: 0}
    const entry = {task: started, abort, settled: Promise.resolve() as Promise<unknown>}
    this.running = entry
    const stopWatching = this.served.core.blocks.watchMount()
    const running = work(signal, {
      total: (totalBytes) => {
        entry.task = {...entry.task, totalBytes}
      },
      done: (doneBytes) => {
        entry.task = {...entry.task, doneBytes}
        events.emit({event: 'progress', doneBytes})
      },
    })
    entry.settled = running.catch(() => {})
    try {
      const report = await running
      this.remember({...entry.task, endedAt: new Date().toISOString(), outcome: 'done', ...summary(report)})
      return report
    } catch (error) {
      const cancelled = signal.aborted
      const reason = cancelled && isShmrError(signal.reason) ? signal.reason.message : (error as Error).message
      this.remember({...entry.task, endedAt: new Date().toISOString(), outcome: cancelled ? 'cancelled' : 'failed', message: reason})
      if (cancelled) throw new ShmrError('UNAVAILABLE', `${purpose} stopped: ${reason}`, {hint: 'nothing is lost: run it again to go on from where it stopped'})
      throw error
    } finally {
      stopWatching()
      this.running = undefined
    }
  }

  /** Stops the running task at its next block (that one, when `id` is given). */
  cancel(id: number | undefined, reason: string): ServerTask {
    const running = this.running
    if (!running || (id !== undefined && running.task.id !== id)) {
      throw new ShmrError('NOT_FOUND', id === undefined ? 'no task runs in the server' : `task ${id} is not running${running ? ` (task ${running.task.id} is)` : ''}`)
    }
    running.abort.abort(new ShmrError('UNAVAILABLE', reason))
    return running.task
  }

  /**
   * Tiering by the server itself, when nothing else runs in it: every `everyMs` (mount.tierEvery),
   * and whenever the write pool is filled to `atFill` or more (mount.tierAtFill, checked every
   * FILL_CHECK_MS). A run the fill started that moved nothing (no rule matches yet) holds further
   * fill-started runs back for FILL_RETRY_MS.
   */
  schedule(schedule: {readonly everyMs?: number; readonly atFill?: number}): void {
    if (schedule.everyMs !== undefined) this.timers.push(setInterval(() => void this.scheduledTier('schedule'), schedule.everyMs))
    if (schedule.atFill !== undefined) {
      const atFill = schedule.atFill
      this.timers.push(setInterval(() => {
        if (this.running || Date.now() < this.fillQuietUntilMs) return
        writePoolFill(this.served.core.pools).then((fill) => {
          if (fill >= atFill) return this.scheduledTier(`the write pool is ${Math.round(fill * 100)}% full`)
        }).catch((error: unknown) => this.log(`the write pool's fill could not be read: ${(error as Error).message}`, 'warning'))
      }, FILL_CHECK_MS))
    }
    for (const timer of this.timers) timer.unref()
  }

  private async scheduledTier(why: string): Promise<void> {
    if (this.running || this.served.config.tiers.length === 0) return
    try {
      const report = await this.migrate('tier', {targets: ['/'], recursive: true, jobs: 1}, {emit: () => {}, scheduled: true})
      if (report.files.shifted > 0 || report.files.busy > 0) {
        this.log(`scheduled tier${why === 'schedule' ? '' : ` (${why})`}: moved ${report.files.shifted} file(s)${report.files.busy > 0 ? `, ${report.files.busy} in use left for the next run` : ''}`)
      } else if (why !== 'schedule') {
        this.fillQuietUntilMs = Date.now() + FILL_RETRY_MS
        this.log(`scheduled tier (${why}): no tiers rule matches a file on it yet; trying again in ${FILL_RETRY_MS / 60_000} min`, 'warning')
      }
    } catch (error) {
      this.log(`scheduled tier failed: ${(error as Error).message}`, 'warning')
    }
  }

  /** Stops the schedule and the running task (at its next block), and waits for it. */
  async stop(reason: string): Promise<void> {
    for (const timer of this.timers) clearInterval(timer)
    const running = this.running
    if (!running) return
    this.log(`stopping the ${running.task.purpose} running in the server (task ${running.task.id}) at its next block: ${reason}`)
    running.abort.abort(new ShmrError('UNAVAILABLE', reason))
    await running.settled
  }

  private remember(task: FinishedTask): void {
    this.ended.push(task)
    if (this.ended.length > FINISHED_KEPT) this.ended.shift()
  }

  private runMigration(purpose: MigrationPurpose, options: MigrationOptions & MigrationRequest, signal: AbortSignal): Promise<ShiftReport> {
    const {core, store, config} = this.served
    const server: ServerFilesystem = {
      store, pools: core.pools, blocks: core.blocks.background(), namespace: core.namespace, mountpoint: this.served.mountpoint, signal,
      flushFile: (ino) => core.data.flushFile(ino),
      whenQuiet: (ino, swap) => this.whenQuiet(ino, swap, signal),
    }
    switch (purpose) {
      case 'shift': return runShift(config, {...options, scheme: options.scheme as Topology | undefined}, server)
      case 'tier': return runTier(config, options, server)
      case 'rewrite': return runRewrite(config, {...options, blockSizeBytes: options.blockSizeBytes ?? 0}, server)
    }
  }

  /**
   * Runs a move's swap once the mount holds nothing of the file (see FileData.isQuiet), in the
   * same turn of the event loop as that check: no request is served between them. Its cached
   * blocks go (their bytes are stored), and the kernel is told its attributes changed.
   */
  private async whenQuiet(ino: number, swap: () => Promise<void>, signal: AbortSignal): Promise<void> {
    const {data} = this.served.core
    const deadline = Date.now() + QUIET_WAIT_MS
    while (!data.isQuiet(ino)) {
      signal.throwIfAborted()
      if (Date.now() > deadline) throw new ShmrError('BUSY', `file ${ino} stayed in use (open or being written) for ${QUIET_WAIT_MS / 1000} s`)
      await new Promise((resolve) => setTimeout(resolve, QUIET_POLL_MS))
    }
    data.dropCached(ino)
    const swapped = swap()
    this.served.invalidate(ino)
    await swapped
  }
}

/** The used fraction of the write pool's drives together (0 to 1). */
async function writePoolFill(pools: PoolSet): Promise<number> {
  const spaces = await Promise.all(pools.writePool.drives.map((drive) => drive.space()))
  const total = spaces.reduce((sum, space) => sum + space.totalBytes, 0)
  return total === 0 ? 0 : spaces.reduce((sum, space) => sum + space.totalBytes - space.freeBytes, 0) / total
}
