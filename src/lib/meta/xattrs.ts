import {Table} from './table.js'

/** Extended attribute values keyed [inode, name]; one inode's names are one range scan. */
export class XattrTable extends Table<[number, string], Buffer> {
  names(ino: number): string[] {
    return this.range([ino, ''], [ino + 1, '']).map(({key}) => key[1])
  }

  removeAll(ino: number): void {
    for (const name of this.names(ino)) this.remove([ino, name])
  }
}
