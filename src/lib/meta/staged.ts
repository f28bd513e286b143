import type {BlockRecord} from './records.js'
import {Table} from './table.js'

/**
 * A block that `shift` (or `rewrite`) has written for a file but not swapped in yet: its files are
 * durable, and they count as referenced. `sources` are the file's current blocks it was built
 * from, with their generations: if any changed since, the staged block is stale.
 */
export interface StagedBlock {
  /** The new block; undefined when it is all zeros (it stays a hole). */
  readonly record: BlockRecord | undefined
  /** The block size the file is being cut into, and the one its current blocks have. */
  readonly blockSizeBytes: number
  readonly sourceBlockSizeBytes: number
  readonly sources: ReadonlyArray<{readonly index: number; readonly generation: number | undefined}>
  readonly sinceMs: number
}

/** Staged blocks keyed [inode, target block index]. */
export class StagedTable extends Table<[number, number], StagedBlock> {
  of(ino: number): Array<{index: number; staged: StagedBlock}> {
    return this.range([ino, 0], [ino, Number.MAX_SAFE_INTEGER]).map(({key, value}) => ({index: key[1], staged: value}))
  }

  /** The inodes that have staged blocks, each once. */
  inodes(): number[] {
    const inodes = new Set<number>()
    for (const {key} of this.range([0, 0], [Number.MAX_SAFE_INTEGER, 0])) inodes.add(key[0])
    return [...inodes]
  }
}
