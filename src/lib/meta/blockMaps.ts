import type {BlockRecord} from './records.js'
import {Table} from './table.js'

/** Block records keyed [inode, block index]: one file's map is one range scan in block order. */
export class BlockMapTable extends Table<[number, number], BlockRecord> {
  findBlock(ino: number, blockIndex: number): BlockRecord | undefined {
    return this.find([ino, blockIndex])
  }

  putBlock(ino: number, blockIndex: number, record: BlockRecord): void {
    this.put([ino, blockIndex], record)
  }

  removeBlock(ino: number, blockIndex: number): boolean {
    return this.remove([ino, blockIndex])
  }

  /** The first stored block of a file, if any. */
  firstBlock(ino: number): {index: number; record: BlockRecord} | undefined {
    const [first] = this.entries({start: [ino, 0], end: [ino, Number.MAX_SAFE_INTEGER], limit: 1})
    return first && {index: first.key[1], record: first.value}
  }

  /** Stored blocks of a file with fromIndex <= index < toIndex, in order (holes are absent). */
  blocksOf(ino: number, fromIndex = 0, toIndex = Number.MAX_SAFE_INTEGER): Array<{index: number; record: BlockRecord}> {
    return this.entries({start: [ino, fromIndex], end: [ino, toIndex]})
      .map(({key, value}) => ({index: key[1], record: value}))
  }
}
