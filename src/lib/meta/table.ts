import type {Database, Key} from 'lmdb'

/**
 * A typed view of one named LMDB database. Reads see the current transaction when called inside
 * one; writes must happen inside MetaStore.transaction (they join it).
 */
export class Table<K extends Key, V> {
  constructor(protected readonly db: Database<V, K>) {}

  find(key: K): V | undefined {
    return this.db.get(key)
  }

  put(key: K, value: V): void {
    this.db.putSync(key, value)
  }

  remove(key: K): boolean {
    return this.db.removeSync(key)
  }

  /** Entries with start <= key < end, in key order, at most `limit`. */
  range(start: K, end: K, limit?: number): Array<{key: K; value: V}> {
    return Array.from(this.db.getRange({start, end, limit}))
  }

  count(): number {
    return this.db.getCount()
  }

  /** Reads every entry, keys and values decoded, and says how many there are (a check of the store). */
  readEvery(): number {
    let entries = 0
    for (const entry of this.db.getRange()) if (entry.value !== undefined) entries++
    return entries
  }
}
