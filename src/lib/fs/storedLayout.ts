import type {BlockStore, ReadableFiles} from '../blocks/blockStore.js'
import type {MetaStore} from '../meta/metaStore.js'
import type {BlockRecord} from '../meta/records.js'

/**
 * A file's bytes as they are stored, for a reader that reads block files itself, with no cache in
 * between (the FUSE binding's own reads): each block's readable files, a hole, or `elsewhere`
 * (only the block store can read it: an object store, an unavailable drive, no chunk checksums).
 */
export interface StoredLayout {
  readonly sizeBytes: number
  readonly blockSizeBytes: number
  readonly blocks: readonly StoredBlock[]
}

export type StoredBlock = (ReadableFiles & {readonly lengthBytes: number}) | 'hole' | 'elsewhere'

/**
 * Files of more blocks than this get no layout: a 16 GiB file of 1 MiB blocks already takes ~6 MB
 * to describe, at each open.
 */
const MAX_LAYOUT_BLOCKS = 16_384

/** The stored layout of a file of `sizeBytes` (its live size); undefined when it is too large to describe. */
export function storedLayoutOf(store: MetaStore, blocks: BlockStore, ino: number, sizeBytes: number, blockSizeBytes: number): StoredLayout | undefined {
  const count = Math.ceil(sizeBytes / blockSizeBytes)
  if (count > MAX_LAYOUT_BLOCKS) return undefined
  const layout: StoredBlock[] = Array.from({length: count}, () => 'hole')
  for (const {index, record} of storedBlocks(store, ino, count)) {
    // A block stored at another block size (a file moved meanwhile) is left to the store.
    const readable = record.blockSizeBytes === blockSizeBytes ? blocks.readableFiles({fileId: ino, blockIndex: index}, record) : undefined
    layout[index] = readable ? {...readable, lengthBytes: record.lengthBytes} : 'elsewhere'
  }
  return {sizeBytes, blockSizeBytes, blocks: layout}
}

/**
 * The stored blocks of a file's first `count`. A file of one block (most files of a tree) by a
 * point lookup: with the range scan of blocksOf, the layout of such a file took 10-13 us of the
 * serving thread's ~50 per open, against 4.7-4.9 now (the fan-out directory remembered too).
 */
function storedBlocks(store: MetaStore, ino: number, count: number): Array<{index: number; record: BlockRecord}> {
  if (count !== 1) return store.blockMaps.blocksOf(ino, 0, count)
  const record = store.blockMaps.findBlock(ino, 0)
  return record ? [{index: 0, record}] : []
}
