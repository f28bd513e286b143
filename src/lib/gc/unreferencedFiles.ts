import path from 'node:path'
import type {BlockStore} from '../blocks/blockStore.js'
import {parseShardName} from '../format/shardName.js'
import type {MetaStore} from '../meta/metaStore.js'
import type {PoolSet} from '../pools/poolSet.js'

export interface UnreferencedFile {
  readonly drive: number
  readonly driveName: string
  /** Relative to the drive directory. */
  readonly path: string
  readonly sizeBytes: number
  readonly mtimeMs: number
}

/**
 * Shard files on the available drives that no block record, staged block or tombstone points at:
 * what a crash between writing a block and committing it leaves behind.
 */
export async function findUnreferencedFiles(store: MetaStore, blocks: BlockStore, pools: PoolSet): Promise<UnreferencedFile[]> {
  const referenced = new Set<string>()
  const note = (ino: number, index: number, record: Parameters<BlockStore['filesOf']>[1]): void => {
    for (const file of blocks.filesOf({fileId: ino, blockIndex: index}, record)) referenced.add(`${file.drive}:${file.path}`)
  }
  for (const inode of store.inodes.all()) {
    if (inode.kind !== 'file') continue
    for (const {index, record} of store.blockMaps.blocksOf(inode.ino)) note(inode.ino, index, record)
    for (const {index, staged} of store.staged.of(inode.ino)) if (staged.record) note(inode.ino, index, staged.record)
  }
  for (const tombstone of store.tombstones.all()) referenced.add(`${tombstone.drive}:${tombstone.path}`)
  const found: UnreferencedFile[] = []
  for (const drive of pools.drivesById.values()) {
    if (pools.unavailable.has(drive.id)) continue
    for (const driveRelative of await drive.listDataFiles()) {
      if (!parseShardName(path.basename(driveRelative))) continue
      if (referenced.has(`${drive.id}:${driveRelative}`)) continue
      const stats = await drive.stat(driveRelative)
      if (stats) found.push({drive: drive.id, driveName: drive.name, path: driveRelative, ...stats})
    }
  }
  return found
}
