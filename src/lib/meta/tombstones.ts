import type {Tombstone} from './records.js'
import {Table} from './table.js'

/** Files to delete once nothing points at them, keyed [drive id, path relative to the drive]. */
export class TombstoneTable extends Table<[number, string], Tombstone> {
  bury(tombstone: Tombstone): void {
    this.put([tombstone.drive, tombstone.path], tombstone)
  }

  exhume(drive: number, relativePath: string): boolean {
    return this.remove([drive, relativePath])
  }

  all(): Tombstone[] {
    return Array.from(this.db.getRange({})).map(({value}) => value)
  }
}
