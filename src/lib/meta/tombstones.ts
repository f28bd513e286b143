import type {Tombstone} from './records.js'
import {Table} from './table.js'

/** Files to delete once nothing points at them, keyed [drive id, path relative to the drive]. */
export class TombstoneTable extends Table<[number, string], Tombstone> {
  /** The tombstones buried by the transaction callback running now (see recording). */
  private burying: Tombstone[] | undefined

  bury(tombstone: Tombstone): void {
    this.put([tombstone.drive, tombstone.path], tombstone)
    this.burying?.push(tombstone)
  }

  exhume(drive: number, relativePath: string): boolean {
    return this.remove([drive, relativePath])
  }

  all(): Tombstone[] {
    return this.entries().map(({value}) => value)
  }

  /** Runs a transaction's callback, and says which tombstones it buried (none when it throws). */
  recording<T>(fn: () => T): {result: T; buried: Tombstone[]} {
    const buried: Tombstone[] = []
    this.burying = buried
    try {
      return {result: fn(), buried}
    } finally {
      this.burying = undefined
    }
  }
}
