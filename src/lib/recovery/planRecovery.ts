import {storedFilesOf, type StoredFile} from '../blocks/blockStore.js'
import {shardCount, toleratedLosses} from '../blocks/topology.js'
import {catalogShards, healthOf, type FoundBlock} from '../decode/catalog.js'
import type {FoundShard} from '../decode/scanShards.js'
import {ROOT_INODE} from '../format/constants.js'
import {shardPath} from '../format/fanout.js'
import {newInode} from '../init/newInode.js'
import type {StoreDump, TableRows} from '../meta/metaStore.js'
import type {BlockRecord, Inode} from '../meta/records.js'
import {SnapshotTree} from './snapshotTree.js'

/** Where each drive's shard files are, as found by listing the drives. */
export interface DriveListing {
  readonly driveId: number
  /** Paths relative to the drive directory of every file under its data directory. */
  readonly files: ReadonlySet<string>
}

export interface RecoveryPlan {
  /** The store to write. */
  readonly dump: StoreDump
  readonly restored: {readonly files: number; readonly dirs: number; readonly symlinks: number; readonly other: number; readonly bytes: number}
  /** Blocks whose snapshot copy was gone, taken from a newer complete copy found on the drives. */
  readonly blocksFromNewerCopies: number
  /** Files the snapshot names whose blocks are not all on the drives: not restored. */
  readonly lost: ReadonlyArray<{readonly path: string; readonly ino: number; readonly missingBlocks: number}>
  /** Files found on the drives that the snapshot does not name (written after it): restored under /lost+found. */
  readonly lostAndFound: ReadonlyArray<{readonly path: string; readonly ino: number; readonly sizeBytes: number}>
}

/** Where unnamed files found on the drives are put, in the root directory. */
export const LOST_AND_FOUND = 'lost+found'

/**
 * What `shmr recover` restores, from a snapshot and what the drives hold: every inode of the
 * snapshot whose blocks are on the drives (each block as the snapshot recorded it; where its
 * files are gone, the newest complete copy of that block found, as a mount writing after the
 * snapshot leaves it), files whose blocks are not all there listed as lost and left out, and
 * files on the drives the snapshot does not name put under /lost+found, so nothing found is
 * left referenced by nothing (gc would delete it). `unmatched` lists (and sizes) the shard files
 * no block of the snapshot accounts for. Counters move past every inode and generation found.
 */
export function planRecovery(snapshot: StoreDump, blockFiles: SnapshotBlockFiles, listings: readonly DriveListing[], unmatched: readonly FoundShard[],
  driveIdOf: (file: string) => number | undefined): RecoveryPlan {
  const tree = new SnapshotTree(snapshot)
  const listed = new Map(listings.map((listing) => [listing.driveId, listing.files]))
  const found = new Map(catalogShards(unmatched).map((file) => [file.fileId, file]))
  const blockMaps: TableRows = []
  const lost: Array<{path: string; ino: number; missingBlocks: number}> = []
  const lostInodes = new Set<number>()
  let blocksFromNewerCopies = 0
  for (const [ino, blocks] of tree.blocks) {
    const kept: TableRows = []
    let missingBlocks = 0
    for (const {index, record} of blocks) {
      if (present(blockFiles.get(record)!, record, listed)) {
        kept.push({key: [ino, index], value: record})
        continue
      }
      const newer = found.get(ino)?.blocks.find((block) => block.index === index)
      const replacement = newer && newer.generation > record.generation ? recordOf(newer, record.blockSizeBytes, found.get(ino)!.blockSizeBytes, driveIdOf) : undefined
      if (replacement) {
        kept.push({key: [ino, index], value: replacement})
        blocksFromNewerCopies++
      } else missingBlocks++
    }
    if (missingBlocks > 0) {
      lostInodes.add(ino)
      for (const path of tree.paths.get(ino) ?? [`#${ino}`]) lost.push({path, ino, missingBlocks})
    } else blockMaps.push(...kept)
  }
  const inodes = new Map(tree.inodes)
  for (const ino of lostInodes) inodes.delete(ino)
  const dirents = snapshot.tables.dirents.filter(({value}) => !lostInodes.has((value as {ino: number}).ino))
  const xattrs = snapshot.tables.xattrs.filter(({key}) => !lostInodes.has((key as [number, string])[0]))
  const orphans = snapshot.tables.orphans.filter(({key}) => !lostInodes.has(key as number))

  const counters = new Map(snapshot.tables.counters.map(({key, value}) => [key as string, value as number]))
  let nextInode = Math.max(counters.get('nextInode') ?? ROOT_INODE + 1, ...[...found.keys()].map((ino) => ino + 1))
  const generations = unmatched.map((shard) => shard.name.generation)
  const nextGeneration = Math.max(counters.get('nextGeneration') ?? 1, ...generations.map((generation) => generation + 1))

  // Files on the drives the snapshot does not name: written after it (or deleted after it, their files not yet collected).
  const lostAndFound: Array<{path: string; ino: number; sizeBytes: number}> = []
  const unnamed = [...found.values()].filter((file) => !tree.inodes.has(file.fileId) && file.blocks.length > 0 && file.blocks.every((block) => recordOf(block, file.blockSizeBytes, file.blockSizeBytes, driveIdOf)))
  if (unnamed.length > 0) {
    const rootEntries = tree.entries.get(ROOT_INODE) ?? []
    const existing = rootEntries.find(({name}) => name === LOST_AND_FOUND)
    let dirIno: number
    let dirPath = `/${LOST_AND_FOUND}`
    if (existing?.entry.kind === 'dir') dirIno = existing.entry.ino
    else {
      dirIno = nextInode++
      if (existing) dirPath = `/${LOST_AND_FOUND}.${dirIno}`
      inodes.set(dirIno, newInode({ino: dirIno, kind: 'dir', permissions: 0o700, uid: 0, gid: 0, parent: ROOT_INODE}))
      dirents.push({key: [ROOT_INODE, dirPath.slice(1)], value: {ino: dirIno, kind: 'dir'}})
      const root = inodes.get(ROOT_INODE)!
      inodes.set(ROOT_INODE, {...root, nlink: root.nlink + 1})
    }
    for (const file of unnamed) {
      const name = `file-${file.fileId}`
      const storedBytes = file.blocks.reduce((sum, block) => sum + block.lengthBytes, 0)
      inodes.set(file.fileId, {
        ...newInode({ino: file.fileId, kind: 'file', permissions: 0o600, uid: 0, gid: 0, blockSizeBytes: file.blockSizeBytes}),
        sizeBytes: file.sizeBytes, storedBytes,
      })
      dirents.push({key: [dirIno, name], value: {ino: file.fileId, kind: 'file'}})
      for (const block of file.blocks) blockMaps.push({key: [file.fileId, block.index], value: recordOf(block, file.blockSizeBytes, file.blockSizeBytes, driveIdOf)!})
      lostAndFound.push({path: `${dirPath}/${name}`, ino: file.fileId, sizeBytes: file.sizeBytes})
    }
  }

  const restoredInodes = [...inodes.values()]
  const count = (test: (inode: Inode) => boolean): number => restoredInodes.filter(test).length
  return {
    dump: {
      superblock: snapshot.superblock,
      tables: {
        inodes: restoredInodes.sort((a, b) => a.ino - b.ino).map((inode) => ({key: inode.ino, value: inode})),
        dirents, xattrs, blockMaps, orphans,
        counters: [{key: 'nextGeneration', value: nextGeneration}, {key: 'nextInode', value: nextInode}],
      },
    },
    restored: {
      files: count((inode) => inode.kind === 'file'), dirs: count((inode) => inode.kind === 'dir'), symlinks: count((inode) => inode.kind === 'symlink'),
      other: count((inode) => !['file', 'dir', 'symlink'].includes(inode.kind)),
      bytes: restoredInodes.reduce((sum, inode) => sum + (inode.kind === 'file' ? inode.sizeBytes : 0), 0),
    },
    blocksFromNewerCopies, lost, lostAndFound,
  }
}

/** The files each block record of a snapshot points at, named once for the listing and the plan (a name costs a format and a checksum). */
export type SnapshotBlockFiles = ReadonlyMap<BlockRecord, readonly StoredFile[]>

export function snapshotBlockFiles(snapshot: StoreDump): SnapshotBlockFiles {
  return new Map(snapshot.tables.blockMaps.map(({key, value}) => {
    const [fileId, blockIndex] = key as [number, number]
    return [value as BlockRecord, storedFilesOf({fileId, blockIndex}, value as BlockRecord)]
  }))
}

/** Whether enough of a block's files are where the record says to read it (verify checks their bytes). */
function present(files: readonly StoredFile[], record: BlockRecord, listed: ReadonlyMap<number, ReadonlySet<string>>): boolean {
  const missing = files.filter((file) => !listed.get(file.drive)?.has(file.path)).length
  return missing <= toleratedLosses(record.topology)
}

/**
 * A block record for a block found by its files alone: only a complete one (a missing shard's
 * checksum is in its name, which is gone), of the file's block size, each file on a drive of the
 * filesystem. Without chunk checksums (they are in no name): reads check whole files, and
 * `verify --repair` records them.
 */
function recordOf(block: FoundBlock, expectedBlockSize: number, foundBlockSize: number, driveIdOf: (file: string) => number | undefined): BlockRecord | undefined {
  if (foundBlockSize !== expectedBlockSize || healthOf(block) !== 'complete' || block.shards.length !== shardCount(block.topology)) return undefined
  const shards = block.shards.map((copies) => {
    const drive = driveIdOf(copies[0]!.file)
    return drive === undefined ? undefined : {drive, crc32c: copies[0]!.name.crc32c}
  })
  if (shards.some((shard) => shard === undefined)) return undefined
  const record: BlockRecord = {generation: block.generation, topology: block.topology, blockSizeBytes: foundBlockSize, lengthBytes: block.lengthBytes, shards: shards as BlockRecord['shards']}
  // Written after the snapshot, by format 6 or by an older build: the record names the files
  // where they were found (a snapshot of format 5 may come before the store's migration).
  const first = block.shards[0]![0]!
  return first.file.endsWith(`/${shardPath(first.name, 'grouped')}`) ? {...record, groupedFanout: true} : record
}
