import type {Key} from 'lmdb'

/** What keyId makes of a key. */
export type KeyId = string | number

/** A key's new value, or REMOVED. */
export const REMOVED = Symbol('removed')
export type Pending<V> = V | typeof REMOVED

/** One table's side of the pending writes: what its reads see before the commit lands. */
export interface PendingTable {
  /** Writes the value (or removes the key) inside the committing LMDB transaction. */
  apply(key: Key, value: unknown): void
}

/** A write waiting for its commit, and the version that tells a newer write of the same key. */
export interface PendingWrite {
  readonly table: PendingTable
  readonly key: Key
  /** keyId(key), kept: the committer and `landed` look every write up by it. */
  readonly id: KeyId
  readonly value: Pending<unknown>
  readonly version: number
}

/**
 * Writes of transactions whose callbacks ran but whose commit has not landed yet, by table and
 * key (see MetaStore.deferWrites): a table's reads look here first, so a create is seen by the
 * next request at once, before LMDB commits it with others.
 */
export class PendingWrites {
  private readonly byTable = new Map<PendingTable, Map<KeyId, PendingWrite>>()
  private nextVersion = 1
  /** The writes of the transaction callback running now, which its own reads see, or undefined. */
  private open: Map<PendingTable, Map<KeyId, {key: Key; value: Pending<unknown>}>> | undefined

  /** Runs a transaction callback, collecting its writes: they join the pending ones only if it returns. */
  collect<T>(fn: () => T): {result: T; writes: PendingWrite[]} {
    if (this.open) throw new Error('a metadata transaction is already running')
    const open = new Map<PendingTable, Map<KeyId, {key: Key; value: Pending<unknown>}>>()
    this.open = open
    let result: T
    try {
      result = fn()
    } finally {
      this.open = undefined
    }
    const writes: PendingWrite[] = []
    for (const [table, entries] of open) {
      let pending = this.byTable.get(table)
      if (!pending) this.byTable.set(table, (pending = new Map()))
      for (const [id, {key, value}] of entries) {
        const write: PendingWrite = {table, key, id, value, version: this.nextVersion++}
        pending.set(id, write)
        writes.push(write)
      }
    }
    return {result, writes}
  }

  /** Records a write of the running callback. */
  write(table: PendingTable, key: Key, value: Pending<unknown>): void {
    if (!this.open) throw new Error('metadata writes must run inside a transaction')
    let entries = this.open.get(table)
    if (!entries) this.open.set(table, (entries = new Map()))
    entries.set(keyId(key), {key, value})
  }

  /** What a read of `key` sees that LMDB does not have yet; undefined: ask LMDB. */
  lookup<V>(table: PendingTable, key: Key): {value: Pending<V>} | undefined {
    const id = keyId(key)
    const found = this.open?.get(table)?.get(id) ?? this.byTable.get(table)?.get(id)
    return found ? {value: found.value as Pending<V>} : undefined
  }

  /** Whether `table` has any write pending (a removal too), the running callback's included. */
  hasAny(table: PendingTable): boolean {
    return (this.byTable.get(table)?.size ?? 0) > 0 || (this.open?.get(table)?.size ?? 0) > 0
  }

  /** The pending writes of `table` with start <= key < end (the running callback's last), unordered. */
  inRange<V>(table: PendingTable, start: Key | undefined, end: Key | undefined): Array<{key: Key; value: Pending<V>}> {
    const found = new Map<KeyId, {key: Key; value: Pending<V>}>()
    for (const entries of [this.byTable.get(table), this.open?.get(table)]) {
      for (const [id, {key, value}] of entries ?? []) {
        if ((start === undefined || compareKeys(key, start) >= 0) && (end === undefined || compareKeys(key, end) < 0)) found.set(id, {key, value: value as Pending<V>})
      }
    }
    return [...found.values()]
  }

  /** Forgets writes that landed, unless a newer write of the same key waits. */
  landed(writes: readonly PendingWrite[]): void {
    for (const write of writes) {
      const entries = this.byTable.get(write.table)
      if (entries?.get(write.id)?.version === write.version) entries.delete(write.id)
    }
  }
}

/**
 * A key as a map key that is the same for equal keys: the pending writes' and a merged range's.
 * A number stands for itself; anything else is its JSON (a string, so never equal to a number),
 * built by hand for shmr's usual [number, number] and [number, name] keys: JSON.stringify took
 * 195 ms of the serving thread while untarring 20,000 files, called on every table read.
 */
export function keyId(key: Key): KeyId {
  if (typeof key === 'number') return key
  if (Array.isArray(key) && key.length === 2 && typeof key[0] === 'number' && Number.isInteger(key[0])) {
    const second = key[1]
    if (typeof second === 'number' && Number.isInteger(second)) return `[${key[0]},${second}]`
    if (typeof second === 'string') return `[${key[0]},${JSON.stringify(second)}]`
  }
  return JSON.stringify(key)
}

/**
 * LMDB's order of shmr's keys (lmdb-js's ordered-binary): numbers by value, strings by their
 * characters (shmr's names are one character per byte, so this is their bytes' order), arrays
 * element by element, a shorter array first.
 */
export function compareKeys(a: Key, b: Key): number {
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      const order = compareKeys(a[i] as Key, b[i] as Key)
      if (order !== 0) return order
    }
    return a.length - b.length
  }
  if (typeof a === 'number' && typeof b === 'number') return a - b
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0
  // Mixed kinds do not occur within one of shmr's tables; numbers before strings as in ordered-binary.
  return typeof a === 'number' ? -1 : 1
}
