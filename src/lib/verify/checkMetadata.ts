import type {BlockStore} from '../blocks/blockStore.js'
import {ROOT_INODE} from '../format/constants.js'
import {findUnreferencedFiles} from '../gc/unreferencedFiles.js'
import {stagedOfMissingFiles} from '../gc/stagedOfMissingFiles.js'
import type {MetaStore} from '../meta/metaStore.js'
import type {PoolSet} from '../pools/poolSet.js'
import {textOfByteName} from '../format/byteNames.js'

export interface MetadataFindings {
  /** Directory entries naming an inode that does not exist. */
  readonly danglingEntries: ReadonlyArray<{readonly path: string; readonly ino: number}>
  /**
   * Inodes no directory entry reaches from the root, though not open-and-unlinked: a damaged entry
   * (a flipped bit in its key puts it under a directory that does not exist) hides its file.
   */
  readonly unreachableInodes: readonly number[]
  /** Inodes whose stored link count differs from the entries that name them. */
  readonly wrongLinkCounts: ReadonlyArray<{readonly ino: number; readonly stored: number; readonly counted: number}>
  /** Shard files on the drives that no block record, staged block or tombstone points at (left for gc). */
  readonly unreferencedFiles: {readonly count: number; readonly bytes: number; readonly examples: readonly string[]}
  /** Inodes that are no longer files but have blocks staged by an interrupted shift or rewrite (gc drops them). */
  readonly stagedOfMissingFiles: readonly number[]
}

/** Checks the metadata store against itself and against the drives. */
export async function checkMetadata(store: MetaStore, blocks: BlockStore, pools: PoolSet): Promise<MetadataFindings> {
  const danglingEntries: Array<{path: string; ino: number}> = []
  const links = new Map<number, number>()
  const walk = (dir: number, dirPath: string): void => {
    for (const {name, entry} of store.dirents.list(dir)) {
      const entryPath = `${dirPath}/${textOfByteName(name)}`
      if (!store.inodes.findInode(entry.ino)) {
        danglingEntries.push({path: entryPath, ino: entry.ino})
        continue
      }
      if (entry.kind === 'dir') {
        links.set(dir, (links.get(dir) ?? 2) + 1)
        links.set(entry.ino, links.get(entry.ino) ?? 2)
        walk(entry.ino, entryPath)
      } else {
        links.set(entry.ino, (links.get(entry.ino) ?? 0) + 1)
      }
    }
  }
  links.set(ROOT_INODE, 2)
  walk(ROOT_INODE, '')
  const wrongLinkCounts = [...links]
    .map(([ino, counted]) => ({ino, stored: store.inodes.findInode(ino)?.nlink ?? 0, counted}))
    .filter(({stored, counted}) => stored !== counted)
  const unreferenced = await findUnreferencedFiles(store, blocks, pools)
  const unreachableInodes: number[] = []
  for (const inode of store.inodes.all()) {
    if (!links.has(inode.ino) && !store.orphans.find(inode.ino)) unreachableInodes.push(inode.ino)
  }
  return {
    danglingEntries, wrongLinkCounts, unreachableInodes, stagedOfMissingFiles: stagedOfMissingFiles(store),
    unreferencedFiles: {
      count: unreferenced.length, bytes: unreferenced.reduce((sum, file) => sum + file.sizeBytes, 0),
      examples: unreferenced.slice(0, 5).map((file) => `${file.driveName}:${file.path}`),
    },
  }
}
