import {describeTopology, shardSizeBytes} from '../blocks/topology.js'
import {ShmrError} from '../errors.js'
import {inoOfTarget} from '../fs/targets.js'
import type {InodeKind} from '../meta/records.js'
import type {ReadOnlyFs} from './openReadOnly.js'

export interface ShardRow {
  /** As in the file name: d0…, p0…, m0…, s0. */
  readonly role: string
  readonly drive: string
  /** Relative to the drive directory. */
  readonly file: string
  readonly crc32c: string
  /** The file exists now with the size its name promises. */
  readonly present: boolean
}

export interface BlockRow {
  readonly index: number
  readonly lengthBytes: number
  readonly topology: string
  readonly generation: number
  readonly shards: readonly ShardRow[]
}

export interface TopologyReport {
  readonly ino: number
  readonly kind: InodeKind
  readonly sizeBytes: number
  readonly blockSizeBytes: number
  readonly storedBytes: number
  /** Stored blocks and the holes between them, in order. */
  readonly blocks: readonly BlockRow[]
  readonly holes: ReadonlyArray<{readonly fromIndex: number; readonly toIndex: number}>
  /** The tier rule that last placed the file, if `shmr tier` did. */
  readonly tierRule?: string
}

/** `shmr inspect topology`: where every block of a file lives, and whether each shard is there now. */
export async function inspectTopology({store, pools, blocks, namespace}: ReadOnlyFs, target: string, mountpoint: string): Promise<TopologyReport> {
  const ino = inoOfTarget(namespace, target, mountpoint)
  const inode = store.inodes.findInode(ino)
  if (!inode) throw new ShmrError('NOT_FOUND', `${target} does not exist in the filesystem`)
  const blockSizeBytes = inode.blockSizeBytes ?? pools.writePool.blockSizeBytes
  const rows: BlockRow[] = []
  for (const {index, record} of inode.kind === 'file' ? store.blockMaps.blocksOf(ino) : []) {
    const address = {fileId: ino, blockIndex: index}
    const expected = shardSizeBytes(record.topology, record.lengthBytes)
    const shards = await Promise.all(blocks.filesOf(address, record).map(async (file, i) => {
      const drive = pools.drive(file.drive)
      const size = drive && !pools.unavailable.has(file.drive) ? (await drive.fileSize(file.path)) ?? -1 : -1
      return {
        role: /\.([sdpm]\d+)\.l\d+\./.exec(file.path)![1]!, drive: drive?.name ?? `#${file.drive}`, file: file.path,
        crc32c: record.shards[i]!.crc32c.toString(16).padStart(8, '0'), present: size === expected,
      }
    }))
    rows.push({index, lengthBytes: record.lengthBytes, topology: describeTopology(record.topology), generation: record.generation, shards})
  }
  const holes: Array<{fromIndex: number; toIndex: number}> = []
  const blockCount = Math.ceil(inode.sizeBytes / blockSizeBytes)
  let next = 0
  for (const index of [...rows.map((row) => row.index), blockCount]) {
    if (index > next) holes.push({fromIndex: next, toIndex: index})
    next = index + 1
  }
  return {
    ino, kind: inode.kind, sizeBytes: inode.sizeBytes, blockSizeBytes, storedBytes: inode.storedBytes ?? 0, blocks: rows, holes,
    ...(inode.tierRule === undefined ? {} : {tierRule: inode.tierRule}),
  }
}
