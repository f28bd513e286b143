import type {Database, Key} from 'lmdb'
import {compareKeys, keyId, REMOVED, type KeyId, type PendingTable, type PendingWrites} from './pendingWrites.js'

/**
 * A typed view of one named LMDB database. Reads see the current transaction when called inside
 * one; writes must happen inside MetaStore.transaction (they join it). With writes deferred (the
 * mount, see MetaStore.deferWrites), reads also see the writes waiting for their commit.
 */
export class Table<K extends Key, V> implements PendingTable {
  private pending: PendingWrites | undefined
  /** Set by holdsNothing when it found nothing with writes deferred; any put clears it. */
  private knownEmpty = false

  constructor(protected readonly db: Database<V, K>) {}

  /** Whether writes wait for the store's committer (see deferTo). */
  protected get deferred(): boolean {
    return this.pending !== undefined
  }

  /** From now on, writes wait in `pending` for the store's committer, and reads see them there. */
  deferTo(pending: PendingWrites): void {
    this.pending = pending
  }

  /** The committer's write of one pending key, inside its LMDB transaction. */
  apply(key: Key, value: unknown): void {
    if (value === REMOVED) this.db.removeSync(key as K)
    else this.db.putSync(key as K, value as V)
  }

  find(key: K): V | undefined {
    const pending = this.pending?.lookup<V>(this, key)
    if (pending) return pending.value === REMOVED ? undefined : pending.value
    return this.db.get(key)
  }

  put(key: K, value: V): void {
    this.knownEmpty = false
    if (this.pending) this.pending.write(this, key, value)
    else this.db.putSync(key, value)
  }

  remove(key: K): boolean {
    if (!this.pending) return this.db.removeSync(key)
    const existed = this.find(key) !== undefined
    this.pending.write(this, key, REMOVED)
    return existed
  }

  /** remove, without saying whether the key was there (which costs a read when writes are deferred). */
  discard(key: K): void {
    if (this.pending) this.pending.write(this, key, REMOVED)
    else this.db.removeSync(key)
  }

  /**
   * True when the table holds no entry, pending writes included. With writes deferred (the
   * mount, the only writer while it holds its lock) known without a read until the next put.
   * Not kept otherwise: an LMDB transaction that removed the last entry and then aborted would
   * bring entries back behind it.
   */
  holdsNothing(): boolean {
    if (this.knownEmpty) return true
    if (this.pending?.hasAny(this)) return false
    for (const _key of this.db.getKeys({limit: 1})) return false
    this.knownEmpty = this.deferred
    return true
  }

  /** Entries with start <= key < end, in key order, at most `limit`. */
  range(start: K, end: K, limit?: number): Array<{key: K; value: V}> {
    return this.entries({start, end, limit})
  }

  count(): number {
    let count = this.db.getCount()
    for (const {key, value} of this.pending?.inRange<V>(this, undefined, undefined) ?? []) {
      const stored = this.db.get(key as K) !== undefined
      if (value === REMOVED && stored) count--
      else if (value !== REMOVED && !stored) count++
    }
    return count
  }

  /** Every entry, in key order (pending writes included). */
  every(): Array<{key: K; value: V}> {
    return this.entries()
  }

  /** Reads every entry, keys and values decoded, and says how many there are (a check of the store). */
  readEvery(): number {
    let entries = 0
    for (const entry of this.db.getRange()) if (entry.value !== undefined) entries++
    return entries
  }

  /**
   * Entries with start <= key < end (either open), in key order, at most `limit`: LMDB's, with
   * the pending writes laid over them.
   */
  protected entries(options: {start?: K; end?: K; limit?: number} = {}): Array<{key: K; value: V}> {
    const pending = this.pending?.inRange<V>(this, options.start, options.end) ?? []
    const stored = Array.from(this.db.getRange({start: options.start, end: options.end, limit: pending.length > 0 ? undefined : options.limit}))
    if (pending.length === 0) return stored
    const merged = new Map<KeyId, {key: K; value: V}>()
    for (const entry of stored) merged.set(keyId(entry.key), entry)
    for (const {key, value} of pending) {
      if (value === REMOVED) merged.delete(keyId(key))
      else merged.set(keyId(key), {key: key as K, value})
    }
    const sorted = [...merged.values()].sort((a, b) => compareKeys(a.key, b.key))
    return options.limit === undefined ? sorted : sorted.slice(0, options.limit)
  }
}
