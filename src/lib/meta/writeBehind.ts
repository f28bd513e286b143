import type {RootDatabase} from 'lmdb'
import {retryDelayMs} from '../retryBackoff.js'
import {PendingWrites, type KeyId, type PendingTable, type PendingWrite} from './pendingWrites.js'

/**
 * The least time from one commit's start to the next's while nobody waits for durability (an
 * fsync, a sync, an unmount: they have the next commit start at once). Each commit is an LMDB
 * transaction and its fdatasync. Untarring 20,000 files (a demo, this machine), committing again
 * as soon as the last commit ended made 16,000 commits: the server wrote 1,250-1,470 MiB for a
 * 338 MB tree, and tar took 33-35 s; one commit every 20 ms at most made ~2,000, wrote 560 MiB,
 * and tar took 24-25 s. ext4 commits its journal every 5 s; nothing here needs to wait that
 * long, and a commit this short keeps few writes waiting in memory.
 */
export const COMMIT_INTERVAL_MS = 20

interface Queued {
  readonly writes: readonly PendingWrite[]
  readonly landed: () => void
}

/**
 * The mount's metadata writes, behind its answers: a transaction's callback runs at once against
 * the store plus the writes still waiting (PendingWrites), its writes join them, and the caller
 * goes on; a committer writes everything waiting in one LMDB transaction, again and again. A
 * create waited 400-600 us for its own commit before, most of a create's time; now the kernel's
 * next request runs while the commit is under way, and many changes share one commit.
 *
 * Commits start at most every COMMIT_INTERVAL_MS unless someone waits for durability.
 *
 * A commit that fails (the metadata disk full) keeps its writes waiting and is tried again with
 * backoff (retryDelayMs); meanwhile `stuck` says why, new transactions are refused with it, and whoever waits
 * for durability gets it.
 */
export class WriteBehind {
  readonly pending = new PendingWrites()
  private queue: Queued[] = []
  private committing: Promise<void> | undefined
  private failures = 0
  /** Why the last commit failed, while its writes wait to be tried again. */
  stuck: unknown
  private waiters: Array<{resolve: () => void; reject: (error: unknown) => void}> = []
  private closed = false
  private closing = false
  /** When the last commit started (performance.now()), for COMMIT_INTERVAL_MS. */
  private lastCommitStart = -Infinity
  /** Ends the committer's wait for COMMIT_INTERVAL_MS, while it waits. */
  private wakeCommitter: (() => void) | undefined
  /** LMDB transactions committed so far. */
  commits = 0

  constructor(private readonly env: RootDatabase, private readonly explain: (error: unknown) => Promise<unknown>) {}

  /** Runs a transaction callback; resolves `landed` once its writes are committed (visible in LMDB). */
  run<T>(fn: () => T): {result: T; landed: Promise<void>} {
    if (this.stuck !== undefined) throw this.stuck
    const {result, writes} = this.pending.collect(fn)
    if (writes.length === 0) return {result, landed: Promise.resolve()}
    const landed = new Promise<void>((resolve) => this.queue.push({writes, landed: resolve}))
    this.committing ??= this.commitAll()
    return {result, landed}
  }

  /** Resolves once nothing waits to be committed (or rejects with why a commit failed meanwhile). */
  drained(): Promise<void> {
    if (this.queue.length === 0 && !this.committing) return Promise.resolve()
    if (this.stuck !== undefined) return Promise.reject(this.stuck)
    const drained = new Promise<void>((resolve, reject) => this.waiters.push({resolve, reject}))
    this.wakeCommitter?.()
    return drained
  }

  /**
   * Commits what waits, for at most `patienceMs` while commits fail, then stops trying: the store
   * is closing. Resolves with how many transactions' writes were given up.
   */
  async close(patienceMs: number): Promise<number> {
    const deadline = Date.now() + patienceMs
    this.closing = true
    this.wakeCommitter?.()
    while (this.committing && (this.stuck === undefined || Date.now() < deadline)) {
      await Promise.race([this.committing, new Promise((resolve) => setTimeout(resolve, 100))])
    }
    this.closed = true
    return this.queue.length
  }

  private async commitAll(): Promise<void> {
    try {
      while (this.queue.length > 0 && !this.closed) {
        await this.paced()
        const batch = this.queue
        this.queue = []
        this.lastCommitStart = performance.now()
        try {
          // lmdb-js's plain transaction, not a child: a child transaction makes LMDB allocate
          // and free 3 MiB of page lists each time (mapped and unmapped, as the server pins
          // glibc's mmap threshold), and the committer runs one every millisecond or so under
          // load: untarring 20,000 files took 15.3-16.0 s with it, 13.1-13.5 without. Still all
          // or nothing where it can happen: the callback only puts and removes, and a put that
          // fails in LMDB (map or disk full) fails the whole LMDB transaction. Only a JavaScript
          // throw in a put (a record lmdb-js cannot encode: a bug, never seen) would let the
          // writes before it commit; the retry below writes the whole batch again.
          await this.env.transaction(() => applyNewest(batch))
        } catch (error) {
          this.stuck = await this.explain(error)
          this.queue = [...batch, ...this.queue]
          for (const waiter of this.waiters.splice(0)) waiter.reject(this.stuck)
          await new Promise((resolve) => setTimeout(resolve, retryDelayMs(++this.failures)))
          continue
        }
        this.commits++
        this.stuck = undefined
        this.failures = 0
        for (const queued of batch) {
          this.pending.landed(queued.writes)
          queued.landed()
        }
      }
    } finally {
      this.committing = undefined
    }
    for (const waiter of this.waiters.splice(0)) waiter.resolve()
  }

  /**
   * Waits until COMMIT_INTERVAL_MS after the last commit's start, unless someone waits for
   * durability. A timer can fire a little early by performance.now() (libuv counts whole
   * milliseconds from when its loop last read the clock): 13 commits started in 219 ms once, so
   * the wait is measured again when it ends.
   */
  private async paced(): Promise<void> {
    for (;;) {
      const waitMs = this.lastCommitStart + COMMIT_INTERVAL_MS - performance.now()
      if (waitMs <= 0 || this.waiters.length > 0 || this.closing) return
      const woken = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => {
          this.wakeCommitter = undefined
          resolve(false)
        }, Math.ceil(waitMs))
        this.wakeCommitter = () => {
          clearTimeout(timer)
          this.wakeCommitter = undefined
          resolve(true)
        }
      })
      if (woken) return
    }
  }
}

/**
 * Writes each key the batch touches once, with its last value: the same inode is often written
 * several times in one batch (a create, then chown, chmod and utimens of it; a directory's times
 * by each entry made in it). Untarring 20,000 files, 180,000 writes came in 13,000 batches and
 * touched 110,000 keys. Applied newest first; which key goes first does not matter inside one
 * transaction.
 */
function applyNewest(batch: readonly Queued[]): void {
  const written = new Map<PendingTable, Set<KeyId>>()
  for (let q = batch.length - 1; q >= 0; q--) {
    const {writes} = batch[q]!
    for (let w = writes.length - 1; w >= 0; w--) {
      const write = writes[w]!
      let ids = written.get(write.table)
      if (!ids) written.set(write.table, (ids = new Set()))
      if (ids.has(write.id)) continue
      ids.add(write.id)
      write.table.apply(write.key, write.value)
    }
  }
}
