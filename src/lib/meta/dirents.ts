import type {Dirent} from './records.js'
import {Table} from './table.js'

/**
 * Directory entries keyed [parent inode, name], so one directory's entries are one range scan
 * in name order.
 */
export class DirentTable extends Table<[number, string], Dirent> {
  lookup(parent: number, name: string): Dirent | undefined {
    return this.find([parent, name])
  }

  link(parent: number, name: string, entry: Dirent): void {
    this.put([parent, name], entry)
  }

  unlink(parent: number, name: string): boolean {
    return this.remove([parent, name])
  }

  /** Entries of `parent` in name order, starting after `afterName` when given. */
  list(parent: number, options: {afterName?: string; limit?: number} = {}): Array<{name: string; entry: Dirent}> {
    const start: [number, string] = [parent, options.afterName ?? '']
    const rows = this.entries({start, end: [parent + 1, ''], limit: options.limit === undefined ? undefined : options.limit + 1})
    return rows
      .filter(({key}) => options.afterName === undefined || key[1] !== options.afterName)
      .slice(0, options.limit)
      .map(({key, value}) => ({name: key[1], entry: value}))
  }

  isEmpty(parent: number): boolean {
    return this.entries({start: [parent, ''], end: [parent + 1, ''], limit: 1}).length === 0
  }
}
