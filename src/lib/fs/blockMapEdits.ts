import type {BlockStore} from '../blocks/blockStore.js'
import {ShmrError} from '../errors.js'
import type {MetaStore} from '../meta/metaStore.js'
import type {BlockRecord} from '../meta/records.js'
import type {StagedBlock} from '../meta/staged.js'

/**
 * The edits of a file's block map, each run inside the caller's transaction. They keep the
 * inode's `storedBytes` (what `du` reports) in step, and turn the files of every record they
 * drop into tombstones (deleted later, once no reader can still be using them).
 */

/**
 * Replaces block `index` of `ino` with `record` (undefined: a hole), if the stored record is
 * still the one of generation `expectedGeneration` (compare-and-swap; undefined: no record).
 */
export function replaceBlock(store: MetaStore, blocks: BlockStore, ino: number, index: number, expectedGeneration: number | undefined,
  record: BlockRecord | undefined, nowMs: number): void {
  const old = store.blockMaps.findBlock(ino, index)
  if (old?.generation !== expectedGeneration) {
    throw new ShmrError('IO', `file ${ino} block ${index} changed underneath (generation ${old?.generation}, expected ${expectedGeneration})`)
  }
  if (old) buryRecord(store, blocks, ino, index, old, nowMs)
  if (record) store.blockMaps.putBlock(ino, index, record)
  else if (old) store.blockMaps.removeBlock(ino, index)
  adjustStoredBytes(store, ino, (record?.lengthBytes ?? 0) - (old?.lengthBytes ?? 0))
}

/** Removes the block records of `ino` from `fromIndex` on, up to (not including) `toIndex`. */
export function dropBlocks(store: MetaStore, blocks: BlockStore, ino: number, fromIndex: number, nowMs: number, toIndex = Number.MAX_SAFE_INTEGER): void {
  adjustStoredBytes(store, ino, -removeBlocks(store, blocks, ino, fromIndex, toIndex, nowMs))
}

/** dropBlocks without the inode's storedBytes: the logical bytes of the records removed. */
function removeBlocks(store: MetaStore, blocks: BlockStore, ino: number, fromIndex: number, toIndex: number, nowMs: number): number {
  let dropped = 0
  for (const {index, record} of store.blockMaps.blocksOf(ino, fromIndex, toIndex)) {
    buryRecord(store, blocks, ino, index, record, nowMs)
    store.blockMaps.discard([ino, index])
    dropped += record.lengthBytes
  }
  return dropped
}

/**
 * Drops an inode that has no links and no open handles, with its blocks, the blocks an
 * interrupted shift or rewrite staged for it, and its xattrs. Its storedBytes is not kept in
 * step (the inode goes), and tables that hold nothing are not searched: every unlink of a last
 * name runs this, and those searches and the inode's rewrite were a third of its cost.
 */
export function reclaimInode(store: MetaStore, blocks: BlockStore, ino: number, nowMs: number): void {
  removeBlocks(store, blocks, ino, 0, Number.MAX_SAFE_INTEGER, nowMs)
  if (!store.staged.holdsNothing()) dropStaged(store, blocks, ino, nowMs)
  if (!store.xattrs.holdsNothing()) store.xattrs.removeAll(ino)
  store.orphans.discard(ino)
  store.inodes.discard(ino)
}

/**
 * Removes the staged blocks of `ino` (from block `fromIndex` on), their files becoming tombstones
 * (a rerun would only find them stale).
 */
export function dropStaged(store: MetaStore, blocks: BlockStore, ino: number, nowMs: number, fromIndex = 0): number {
  const staged = store.staged.of(ino).filter(({index}) => index >= fromIndex)
  for (const {index, staged: block} of staged) dropStagedBlock(store, blocks, ino, index, block, nowMs)
  return staged.length
}

/** Removes staged block `index` of `ino` (`block`, as read in this transaction), its files becoming tombstones. */
export function dropStagedBlock(store: MetaStore, blocks: BlockStore, ino: number, index: number, block: StagedBlock, nowMs: number): void {
  if (block.record) buryRecord(store, blocks, ino, index, block.record, nowMs)
  store.staged.remove([ino, index])
}

/** Tombstones the files of a record that is not (or no longer) in the block map. */
export function buryRecord(store: MetaStore, blocks: BlockStore, ino: number, index: number, record: BlockRecord, nowMs: number): void {
  for (const file of blocks.filesOf({fileId: ino, blockIndex: index}, record)) {
    store.tombstones.bury({drive: file.drive, path: file.path, sinceMs: nowMs})
  }
}

function adjustStoredBytes(store: MetaStore, ino: number, delta: number): void {
  if (delta === 0) return
  const inode = store.inodes.findInode(ino)
  if (inode) store.inodes.putInode({...inode, storedBytes: Math.max(0, (inode.storedBytes ?? 0) + delta)})
}
