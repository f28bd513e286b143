import type {BlockStore} from '../blocks/blockStore.js'
import type {MetaStore} from '../meta/metaStore.js'
import {blocksAddon} from '../native/blocksAddon.js'

/** A block of the file as it is now, and its generation (undefined: a hole). */
export interface SourceBlock {
  readonly index: number
  readonly generation: number | undefined
}

/**
 * Reads byte ranges of a file from its current blocks (checksums verified, lost shards rebuilt),
 * whatever their block size: the piece `shift` and `rewrite` re-block through. Source blocks that
 * lie wholly inside the range are read straight into the output, all at once; a source block the
 * range cuts (re-blocking to a smaller size) is read whole and kept, so cutting one large block
 * into smaller ones reads it once.
 */
export class SourceReader {
  private last: {index: number; bytes: Buffer} | undefined
  bytesRead = 0

  constructor(private readonly store: MetaStore, private readonly blocks: BlockStore, private readonly ino: number,
    private readonly sourceBlockSizeBytes: number) {}

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
    if (this.last?.index !== index) {
      const record = this.store.blockMaps.findBlock(this.ino, index)!
      const bytes = this.last?.bytes.length === size ? this.last.bytes : blocksAddon().alignedBuffer(size)
      await this.blocks.readBlock({fileId: this.ino, blockIndex: index}, record, bytes)
      bytes.fill(0, record.lengthBytes)
      this.bytesRead += record.lengthBytes
      this.last = {index, bytes}
    }
    this.last.bytes.copy(out, from - offset, from - index * size, to - index * size)
  }
}
