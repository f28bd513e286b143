import fs from 'node:fs/promises'
import path from 'node:path'
import type {BlockStore} from '../blocks/blockStore.js'
import {DRIVE_DATA_DIR, ROOT_INODE} from '../format/constants.js'
import {parseShardName} from '../format/shardName.js'
import type {MetaStore} from '../meta/metaStore.js'
import type {PoolSet} from '../pools/poolSet.js'

export interface MetadataFindings {
  /** Directory entries naming an inode that does not exist. */
  readonly danglingEntries: ReadonlyArray<{readonly path: string; readonly ino: number}>
  /** Inodes whose stored link count differs from the entries that name them. */
  readonly wrongLinkCounts: ReadonlyArray<{readonly ino: number; readonly stored: number; readonly counted: number}>
  /** Shard files on the drives that no block record, staged block or tombstone points at (left for gc). */
  readonly unreferencedFiles: {readonly count: number; readonly bytes: number; readonly examples: readonly string[]}
}

/** Checks the metadata store against itself and against the drives. */
export async function checkMetadata(store: MetaStore, blocks: BlockStore, pools: PoolSet): Promise<MetadataFindings> {
  const danglingEntries: Array<{path: string; ino: number}> = []
  const links = new Map<number, number>()
  const walk = (dir: number, dirPath: string): void => {
    for (const {name, entry} of store.dirents.list(dir)) {
      const entryPath = `${dirPath}/${name}`
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
  return {danglingEntries, wrongLinkCounts, unreferencedFiles: await findUnreferenced(store, blocks, pools)}
}

async function findUnreferenced(store: MetaStore, blocks: BlockStore, pools: PoolSet): Promise<MetadataFindings['unreferencedFiles']> {
  const referenced = new Set<string>()
  for (const inode of store.inodes.all()) {
    if (inode.kind !== 'file') continue
    for (const {index, record} of store.blockMaps.blocksOf(inode.ino)) {
      for (const file of blocks.filesOf({fileId: inode.ino, blockIndex: index}, record)) referenced.add(`${file.drive}:${file.path}`)
    }
    for (const {index, staged} of store.staged.of(inode.ino)) {
      if (staged.record) for (const file of blocks.filesOf({fileId: inode.ino, blockIndex: index}, staged.record)) referenced.add(`${file.drive}:${file.path}`)
    }
  }
  for (const tombstone of store.tombstones.all()) referenced.add(`${tombstone.drive}:${tombstone.path}`)
  let count = 0
  let bytes = 0
  const examples: string[] = []
  for (const drive of pools.drivesById.values()) {
    if (pools.unavailable.has(drive.id)) continue
    const root = drive.resolve(DRIVE_DATA_DIR)
    const names = (await fs.readdir(root, {recursive: true}).catch(() => [])) as string[]
    for (const relative of names) {
      if (!parseShardName(path.basename(relative))) continue
      const driveRelative = path.join(DRIVE_DATA_DIR, relative)
      if (referenced.has(`${drive.id}:${driveRelative}`)) continue
      count++
      bytes += (await fs.stat(drive.resolve(driveRelative))).size
      if (examples.length < 5) examples.push(`${drive.name}:${driveRelative}`)
    }
  }
  return {count, bytes, examples}
}
