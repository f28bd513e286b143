import assert from 'node:assert/strict'
import {Table} from './table.js'

export type CounterName = 'nextInode' | 'nextGeneration'

/**
 * Monotonic counters. Generations are never reused, even after a crash (the mount reserves them
 * durably). An inode number is never reused while its inode exists; a crash can hand out again
 * the numbers of inodes whose creation was not yet durable (they are gone with it).
 */
export class CounterTable extends Table<CounterName, number> {
  current(name: CounterName): number {
    const value = this.find(name)
    assert.ok(value !== undefined, `counter ${name} is missing from the metadata store`)
    return value
  }

  /** Reserves `count` consecutive values and returns the first. Call inside a transaction. */
  take(name: CounterName, count = 1): number {
    const first = this.current(name)
    this.put(name, first + count)
    return first
  }
}
