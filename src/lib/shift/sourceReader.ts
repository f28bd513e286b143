import type {BlockStore} from '../blocks/blockStore.js'
import type {MetaStore} from '../meta/metaStore.js'
import {blocksAddon} from '../native/blocksAddon.js'

/** A block of the file as it is now, and its generation (undefined: a hole). */
export interface SourceBlock {
  readonly index: number
  readonly generation: number | undefined
}

/** A source block the targets cut, read whole once and shared by the jobs that copy from it. */
interface CutBlock {
  readonly bytes: Buffer
  readonly ready: Promise<void>
  /** Jobs copying from it now: it is not reused meanwhile. */
  users: number
}

/**
 * Reads byte ranges of a file from its current blocks (checksums verified, lost shards rebuilt),
 * whatever their block size: the piece `shift` and `rewrite` re-block through. Source blocks that
 * lie wholly inside the range are read straight into the output, all at once; a source block the
 * ranges cut (re-blocking to a smaller size) is read whole once and kept for every job that cuts
 * from it (one reader serves all jobs: a reader per job read each large block once per job, so
 * `--jobs 4` read the file four times).
 */
export class SourceReader {
  /** Cut source blocks by index, at most `maxCutBlocks` of them (their buffers are reused). */
  private readonly cut = new Map<number, CutBlock>()
  bytesRead = 0

  /**
   * `maxCutBlocks`: the jobs sharing the reader. Jobs take targets in order and each copies from
   * one cut block at a time, so a block a job needs next is never the one given up for another.
   */
  constructor(private readonly store: MetaStore, private readonly blocks: BlockStore, private readonly ino: number,
    private readonly sourceBlockSizeBytes: number, private readonly maxCutBlocks = 1) {}

  /** Fills out[0, length) with the file's bytes at [offset, offset + length); returns the blocks it came from. */
  async read(offset: number, length: number, out: Buffer): Promise<SourceBlock[]> {
    const size = this.sourceBlockSizeBytes
    const sources: SourceBlock[] = []
    const direct: Promise<void>[] = []
    const cut: Array<{index: number; from: number; to: number}> = []
    for (let index = Math.floor(offset / size); index * size < offset + length; index++) {
      const from = Math.max(offset, index * size)
      const to = Math.min(offset + length, (index + 1) * size)
      const record = this.store.blockMaps.findBlock(this.ino, index)
      sources.push({index, generation: record?.generation})
      if (!record) {
        out.fill(0, from - offset, to - offset)
      } else if (from === index * size && record.lengthBytes <= to - from) {
        const target = out.subarray(from - offset, to - offset)
        direct.push(this.blocks.readBlock({fileId: this.ino, blockIndex: index}, record, target).then(() => {
          target.fill(0, record.lengthBytes)
          this.bytesRead += record.lengthBytes
        }))
      } else {
        cut.push({index, from, to})
      }
    }
    // Every read is started before any is awaited, so a failure must not go unhandled meanwhile.
    const all = Promise.all(direct)
    all.catch(() => {})
    for (const {index, from, to} of cut) await this.copyCut(index, from, to, offset, out)
    await all
    return sources
  }

  private async copyCut(index: number, from: number, to: number, offset: number, out: Buffer): Promise<void> {
    const size = this.sourceBlockSizeBytes
    const block = this.cut.get(index) ?? this.readCut(index)
    block.users++
    try {
      await block.ready
      block.bytes.copy(out, from - offset, from - index * size, to - index * size)
    } finally {
      block.users--
    }
  }

  /** Starts reading a cut source block, into the buffer of the oldest idle one if there are enough. */
  private readCut(index: number): CutBlock {
    const record = this.store.blockMaps.findBlock(this.ino, index)!
    let bytes: Buffer | undefined
    if (this.cut.size >= this.maxCutBlocks) {
      for (const [oldIndex, old] of this.cut) {
        if (old.users > 0) continue
        this.cut.delete(oldIndex)
        bytes = old.bytes
        break
      }
    }
    bytes ??= blocksAddon().alignedBuffer(this.sourceBlockSizeBytes)
    const filled = bytes
    const ready = this.blocks.readBlock({fileId: this.ino, blockIndex: index}, record, filled).then(() => {
      filled.fill(0, record.lengthBytes)
      this.bytesRead += record.lengthBytes
    }, (error: unknown) => {
      // Read again by whoever needs it next, not failed for good.
      this.cut.delete(index)
      throw error
    })
    const block: CutBlock = {bytes: filled, ready, users: 0}
    this.cut.set(index, block)
    return block
  }
}
