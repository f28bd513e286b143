import {Table} from './table.js'

/** Extended attribute values keyed [inode, name]; one inode's names are one range scan. */
export class XattrTable extends Table<[number, string], Buffer> {
  names(ino: number): string[] {
    return this.range([ino, ''], [ino + 1, '']).map(({key}) => key[1])
  }

  /** Whether any inode has an attribute `name`: a scan of every key, for a check at mount. */
  anyNamed(name: string): boolean {
    const keys = this.deferred ? this.entries().map(({key}) => key) : this.db.getKeys()
    for (const key of keys) if (key[1] === name) return true
    return false
  }

  removeAll(ino: number): void {
    for (const name of this.names(ino)) this.remove([ino, name])
  }
}
