import type {Key} from 'lmdb'

/** A key's new value, or REMOVED. */
export const REMOVED = Symbol('removed')
export type Pending<V> = V | typeof REMOVED

/** One table's side of the pending writes: what its reads see before the commit lands. */
export interface PendingTable {
  /** The table's name, for the committer. */
  readonly name: string
  /** Writes the value (or removes the key) inside the committing LMDB transaction. */
  apply(key: Key, value: unknown): void
}

/** A write waiting for its commit, and the version that tells a newer write of the same key. */
interface Entry {
  readonly table: PendingTable
  readonly key: Key
  readonly value: Pending<unknown>
  readonly version: number
}

/**
 * Writes of transactions whose callbacks ran but whose commit has not landed yet, by table and
 * key (see MetaStore.deferWrites): a table's reads look here first, so a create is seen by the
 * next request at once, before LMDB commits it with others.
 */
export class PendingWrites {
  private readonly byTable = new Map<PendingTable, Map<string, Entry>>()
  private nextVersion = 1
  /** The writes of the transaction callback running now, which its own reads see, or undefined. */
  private open: Map<PendingTable, Map<string, Pending<unknown>>> | undefined

  get size(): number {
    let size = 0
    for (const entries of this.byTable.values()) size += entries.size
    return size
  }

  /** Runs a transaction callback, collecting its writes: they join the pending ones only if it returns. */
  collect<T>(fn: () => T): {result: T; writes: Array<{table: PendingTable; key: Key; value: Pending<unknown>; version: number}>} {
    if (this.open) throw new Error('a metadata transaction is already running')
    const open = new Map<PendingTable, Map<string, Pending<unknown>>>()
    this.open = open
    let result: T
    try {
      result = fn()
    } finally {
      this.open = undefined
    }
    const writes = []
    for (const [table, entries] of open) {
      let pending = this.byTable.get(table)
      if (!pending) this.byTable.set(table, (pending = new Map()))
      for (const [id, value] of entries) {
        const entry: Entry = {table, key: JSON.parse(id) as Key, value, version: this.nextVersion++}
        pending.set(id, entry)
        writes.push({table, key: entry.key, value, version: entry.version})
      }
    }
    return {result, writes}
  }

  /** Records a write of the running callback. */
  write(table: PendingTable, key: Key, value: Pending<unknown>): void {
    if (!this.open) throw new Error('metadata writes must run inside a transaction')
    let entries = this.open.get(table)
    if (!entries) this.open.set(table, (entries = new Map()))
    entries.set(idOf(key), value)
  }

  /** What a read of `key` sees that LMDB does not have yet; undefined: ask LMDB. */
  lookup<V>(table: PendingTable, key: Key): {value: Pending<V>} | undefined {
    const id = idOf(key)
    const own = this.open?.get(table)
    if (own?.has(id)) return {value: own.get(id) as Pending<V>}
    const entry = this.byTable.get(table)?.get(id)
    return entry ? {value: entry.value as Pending<V>} : undefined
  }

  /** The pending writes of `table` with start <= key < end (the running callback's last), unordered. */
  inRange<V>(table: PendingTable, start: Key | undefined, end: Key | undefined): Array<{key: Key; value: Pending<V>}> {
    const found = new Map<string, {key: Key; value: Pending<V>}>()
    const add = (id: string, key: Key, value: Pending<unknown>): void => {
      if ((start === undefined || compareKeys(key, start) >= 0) && (end === undefined || compareKeys(key, end) < 0)) found.set(id, {key, value: value as Pending<V>})
    }
    for (const [id, entry] of this.byTable.get(table) ?? []) add(id, entry.key, entry.value)
    for (const [id, value] of this.open?.get(table) ?? []) add(id, JSON.parse(id) as Key, value)
    return [...found.values()]
  }

  /** Forgets writes that landed, unless a newer write of the same key waits. */
  landed(writes: ReadonlyArray<{table: PendingTable; key: Key; version: number}>): void {
    for (const write of writes) {
      const entries = this.byTable.get(write.table)
      const id = idOf(write.key)
      if (entries?.get(id)?.version === write.version) entries.delete(id)
    }
  }
}

function idOf(key: Key): string {
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
