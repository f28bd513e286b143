import type {BlockStore, ReadableFiles} from '../blocks/blockStore.js'
import type {MetaStore} from '../meta/metaStore.js'

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
  for (const {index, record} of store.blockMaps.blocksOf(ino, 0, count)) {
    // A block stored at another block size (a file moved meanwhile) is left to the store.
    const readable = record.blockSizeBytes === blockSizeBytes ? blocks.readableFiles({fileId: ino, blockIndex: index}, record) : undefined
    layout[index] = readable ? {...readable, lengthBytes: record.lengthBytes} : 'elsewhere'
  }
  return {sizeBytes, blockSizeBytes, blocks: layout}
}

