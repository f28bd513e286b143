import type {BlockStore} from '../blocks/blockStore.js'
import type {MetaStore} from '../meta/metaStore.js'

/**
 * Drops an inode that has no links and no open handles: its block records go, their files become
 * tombstones (deleted later, once no reader can still be using them), and its xattrs go.
 * Runs inside the caller's transaction.
 */
export function reclaimInode(store: MetaStore, blocks: BlockStore, ino: number, nowMs: number): void {
  dropBlocks(store, blocks, ino, 0, nowMs)
  store.xattrs.removeAll(ino)
  store.inodes.remove(ino)
}

/** Removes the block records of `ino` from `fromIndex` on, tombstoning their files. In a transaction. */
export function dropBlocks(store: MetaStore, blocks: BlockStore, ino: number, fromIndex: number, nowMs: number): void {
  for (const {index, record} of store.blockMaps.blocksOf(ino, fromIndex)) {
    for (const file of blocks.filesOf({fileId: ino, blockIndex: index}, record)) {
      store.tombstones.bury({drive: file.drive, path: file.path, sinceMs: nowMs})
    }
    store.blockMaps.removeBlock(ino, index)
  }
}
