import type {Served} from '../metrics/metrics.js'

/**
 * How a task moving data inside the mounted server (shift, tier, rewrite, drain, repair) gives
 * way to the mount: while the mount itself is busier than `busyBytesPerSecond` (mount.busyAbove),
 * the task holds each block back before it reads or writes it (giveWay), and its file I/O each
 * MiB it moves (the blocks addon's give_way, told through `onBusy`), each for at most MAX_WAIT_MS.
 *
 * Why: the task's I/O already runs at the idle I/O priority on threads of its own, but with the
 * write pool and the archive drives on one disk a shift at --rate 100M still cost a cold
 * sequential reader a third of its speed, and 4 KiB random readers five sixths (it reads
 * 100 MB/s and writes 150 from and to the disk they read, in bursts of a 64 MiB block's shards;
 * LIMITATIONS.md). A byte cap cannot tell a busy mount from an idle one; this does. Why a bound on
 * the wait: a mount that is never quiet (a busy share) must not stop every move; it slows them to
 * about a MiB a second per job.
 */

/** Longest a block (or a MiB of a task's file I/O) waits for the mount to quiet down. */
export const MAX_WAIT_MS = 1000
/**
 * What a read or write counts as at least: a disk spends about as long on a small random read
 * as on a 128 KiB one, so a database's 4 KiB reads make a mount as busy as a stream's bytes do.
 */
export const SMALL_REQUEST_BYTES = 128 * 1024
/** How often the mount's traffic is looked at while a task watches it, and a waiting block looks again. */
export const LOOK_EVERY_MS = 50

export class MountTraffic {
  private busy = false
  private watchers = 0
  private timer: NodeJS.Timeout | undefined
  private last: {ms: number; served: Served} | undefined

  /**
   * `served` counts what the mount served its users since it started (the binding's own reads
   * included); it only grows. `onBusy` hears each change of the verdict.
   */
  constructor(private readonly served: () => Served, private readonly busyBytesPerSecond: number, private readonly onBusy: (busy: boolean) => void = () => {}) {}

  /** Looks at the mount's traffic every LOOK_EVERY_MS until the returned function is called (a task's run). */
  watch(): () => void {
    if (this.busyBytesPerSecond === 0) return () => {}
    if (this.watchers++ === 0) {
      this.last = {ms: Date.now(), served: this.served()}
      this.timer = setInterval(() => this.look(), LOOK_EVERY_MS)
      this.timer.unref()
    }
    let stopped = false
    return () => {
      if (stopped) return
      stopped = true
      if (--this.watchers > 0) return
      clearInterval(this.timer)
      this.timer = undefined
      this.verdict(false)
    }
  }

  /** Waits while the mount is busy (at most MAX_WAIT_MS); says how long it waited. Never waits unwatched. */
  async giveWay(): Promise<number> {
    const startedMs = Date.now()
    while (this.busy && Date.now() - startedMs < MAX_WAIT_MS) await new Promise((resolve) => setTimeout(resolve, LOOK_EVERY_MS))
    return Date.now() - startedMs
  }

  /** The mount's bytes per second since the last look, small requests counted up. */
  private look(): void {
    const nowMs = Date.now()
    const served = this.served()
    const last = this.last!
    const bytes = Math.max(served.bytes - last.served.bytes, (served.requests - last.served.requests) * SMALL_REQUEST_BYTES)
    this.last = {ms: nowMs, served}
    if (nowMs > last.ms) this.verdict((bytes * 1000) / (nowMs - last.ms) > this.busyBytesPerSecond)
  }

  private verdict(busy: boolean): void {
    if (busy === this.busy) return
    this.busy = busy
    this.onBusy(busy)
  }
}
