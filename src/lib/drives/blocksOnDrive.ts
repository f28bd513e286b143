import type {MetaStore} from '../meta/metaStore.js'
import type {BlockRecord} from '../meta/records.js'

export interface BlockOnDrive {
  readonly ino: number
  readonly index: number
  readonly record: BlockRecord
  /** Whether it is a staged block (of a shift not finished yet), not one of the file's own. */
  readonly staged: boolean
}

/** Every block (stored or staged) with a shard on drive `id`, file by file. */
export function* blocksOnDrive(store: MetaStore, id: number): Generator<BlockOnDrive> {
  for (const inode of store.inodes.all()) {
    if (inode.kind !== 'file') continue
    for (const {index, record} of store.blockMaps.blocksOf(inode.ino)) {
      if (record.shards.some((shard) => shard.drive === id)) yield {ino: inode.ino, index, record, staged: false}
    }
    for (const {index, staged} of store.staged.of(inode.ino)) {
      if (staged.record?.shards.some((shard) => shard.drive === id)) yield {ino: inode.ino, index, record: staged.record, staged: true}
    }
  }
}
