import type {Log} from '../log.js'
import type {BlockStore} from '../blocks/blockStore.js'
import type {MetaStore} from '../meta/metaStore.js'
import type {Tombstone} from '../meta/records.js'
import type {PoolSet} from '../pools/poolSet.js'
import {collectTombstones} from './collectTombstones.js'

/**
 * The mount's deleting of superseded block files as soon as nothing needs them: once the commit
 * that buried them is durable, unless a read of their generation is in flight (those wait for the
 * server's periodic collection). Before, every superseded file lingered for a 10 s grace period:
 * random 64 KiB writes with fsync rewrote whole blocks faster than that, and 120 MiB of live data
 * took 3.3 GiB of write pool and ENOSPC.
 */
export class TombstoneReclaimer {
  private queue: Tombstone[] = []
  private running: Promise<void> | undefined

  constructor(private readonly store: MetaStore, private readonly blocks: BlockStore, private readonly pools: PoolSet,
    private readonly log: Log) {}

  /** Deletes these tombstones' files soon (their burial is durable). */
  reclaim(tombstones: readonly Tombstone[]): void {
    this.queue.push(...tombstones)
    this.running ??= this.drain()
  }

  /** Resolves once every tombstone handed in so far has been dealt with. */
  settled(): Promise<void> {
    return this.running ?? Promise.resolve()
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue
        this.queue = []
        await collectTombstones(this.store, this.pools, 0, {only: batch, blocks: this.blocks})
      }
    } catch (error) {
      // Left in the table: the periodic collection deletes them later.
      this.queue = []
      this.log(`deleting superseded block files failed: ${(error as Error).message}`, 'warning')
    } finally {
      this.running = undefined
    }
  }
}
