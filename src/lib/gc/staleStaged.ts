import type {MetaStore} from '../meta/metaStore.js'
import type {StagedBlock} from '../meta/staged.js'
import type {PoolSet} from '../pools/poolSet.js'

/**
 * Blocks staged by a shift, rewrite or tier that is not running, of files that still exist, which
 * no later move can reuse: a source block was written since (its generation is not the one staged
 * from), the file was re-cut to another block size, or the block lies past the file's end at its
 * own block size (the file was cut short). A move of the file drops or replaces them; a file no
 * move comes back to would keep their files referenced for good, so gc drops them.
 */
export function staleStaged(store: MetaStore, pools: PoolSet): Array<{ino: number; index: number; staged: StagedBlock}> {
  return store.staged.inodes().flatMap((ino) => {
    const inode = store.inodes.findInode(ino)
    if (inode?.kind !== 'file') return [] // stagedOfMissingFiles
    const sourceBlockSizeBytes = inode.blockSizeBytes ?? pools.writePool.blockSizeBytes
    return store.staged.of(ino).filter(({index, staged}) =>
      staged.sourceBlockSizeBytes !== sourceBlockSizeBytes ||
      index * staged.blockSizeBytes >= inode.sizeBytes ||
      staged.sources.some((source) => store.blockMaps.findBlock(ino, source.index)?.generation !== source.generation),
    ).map(({index, staged}) => ({ino, index, staged}))
  })
}
