import path from 'node:path'
import type {BlockStore} from '../blocks/blockStore.js'
import {fanoutDirsOf} from '../format/fanout.js'
import {parseShardName} from '../format/shardName.js'
import type {MetaStore} from '../meta/metaStore.js'
import type {Drive} from '../pools/drive.js'
import type {PoolSet} from '../pools/poolSet.js'

/**
 * Deletes shard files of `ino` that nothing references: written by a run that died before it
 * staged them. Only the fan-out directories that may hold the file's blocks are listed, in either
 * fan-out (format/fanout.ts: one per 64 blocks, whatever the pool's size), for the block sizes
 * given, on `drives` (default every drive). Referenced means: by a block record, by a staged
 * block, or by a tombstone (gc deletes those).
 */
export async function removeStrayShards(store: MetaStore, blocks: BlockStore, pools: PoolSet, ino: number,
  blockSizes: readonly number[], sizeBytes: number, drives: Iterable<Drive> = pools.drivesById.values()): Promise<number> {
  const referenced = new Set<string>()
  const note = (drive: number, relative: string): void => void referenced.add(`${drive}:${relative}`)
  for (const {index, record} of store.blockMaps.blocksOf(ino)) {
    for (const file of blocks.filesOf({fileId: ino, blockIndex: index}, record)) note(file.drive, file.path)
  }
  for (const {index, staged} of store.staged.of(ino)) {
    if (staged.record) for (const file of blocks.filesOf({fileId: ino, blockIndex: index}, staged.record)) note(file.drive, file.path)
  }
  const dirs = new Set<string>()
  for (const blockSizeBytes of blockSizes) {
    for (const dir of fanoutDirsOf(ino, Math.ceil(sizeBytes / blockSizeBytes))) dirs.add(dir)
  }
  let removed = 0
  for (const drive of drives) {
    if (pools.unavailable.has(drive.id)) continue
    for (const dir of dirs) {
      for (const name of await drive.listDir(dir)) {
        if (parseShardName(name)?.fileId !== ino) continue
        const relative = path.join(dir, name)
        if (referenced.has(`${drive.id}:${relative}`) || store.tombstones.find([drive.id, relative])) continue
        await drive.removeFile(relative)
        removed++
      }
    }
  }
  return removed
}
