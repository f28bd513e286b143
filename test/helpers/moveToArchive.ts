import {BlockStore} from '../../src/lib/blocks/blockStore.js'
import type {ShmrConfig} from '../../src/lib/config/types.js'
import {MetaStore} from '../../src/lib/meta/metaStore.js'
import {PoolSet} from '../../src/lib/pools/poolSet.js'
import {filePath as storedFilePath} from './drivePaths.js'

/**
 * Moves every block of one file to the archive pool, erasure-coded, keeping its block size: what
 * `shmr shift` does, minus re-blocking, progress and resumption. Offline; for mount tests of
 * archive reads until shift exists. Returns where each block's shards went.
 */
export async function moveToArchive(config: ShmrConfig, filePath: string): Promise<Array<{index: number; files: string[]}>> {
  const store = await MetaStore.open(config.metadataDir)
  try {
    const pools = await PoolSet.open(config, store.superblock)
    const blocks = new BlockStore(pools)
    const archive = pools.pool('archive')
    const ino = (() => {
      let current = 1
      for (const part of filePath.split('/').filter(Boolean)) current = store.dirents.lookup(current, part)!.ino
      return current
    })()
    const moved: Array<{index: number; files: string[]}> = []
    for (const {index, record} of store.blockMaps.blocksOf(ino)) {
      const address = {fileId: ino, blockIndex: index}
      const bytes = Buffer.alloc(record.blockSizeBytes)
      await blocks.readBlock(address, record, bytes)
      const generation = await store.transaction(() => store.counters.take('nextGeneration'))
      const shifted = (await blocks.writeBlock(archive, address, record.blockSizeBytes, generation, bytes.subarray(0, record.lengthBytes)))!
      await store.transaction(() => {
        if (store.blockMaps.findBlock(ino, index)?.generation !== record.generation) throw new Error('block changed')
        store.blockMaps.putBlock(ino, index, shifted)
        for (const file of blocks.filesOf(address, record)) store.tombstones.bury({drive: file.drive, path: file.path, sinceMs: 0})
      })
      moved.push({index, files: blocks.filesOf(address, shifted).map((file) => storedFilePath(pools, file))})
    }
    return moved
  } finally {
    await store.close()
  }
}
