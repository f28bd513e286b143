import {describeTopology, toleratedLosses} from '../blocks/topology.js'
import type {MetaStore} from '../meta/metaStore.js'
import type {Inode} from '../meta/records.js'
import type {PoolSet} from '../pools/poolSet.js'

/** The part of a file stored in one pool with one scheme. */
export interface LocationPart {
  readonly pool: string
  readonly scheme: string
  readonly blocks: number
  /** Logical bytes (the file's, not the shards'). */
  readonly bytes: number
}

/** Where a file's data is, as a user asks it: "is this on the SSD only, or erasure-coded?" */
export interface FileLocation {
  readonly parts: readonly LocationPart[]
  /**
   * Blocks written through the mount and not yet stored (only while mounted): on the write pool
   * soon, unprotected until then.
   */
  readonly pendingBlocks: number
  /** Every stored block survives the loss of a drive (parity or a mirror), and nothing is pending. */
  readonly protected: boolean
  /** The tier rule that last placed the file, if `shmr tier` did. */
  readonly rule?: string
}

/** Where `inode`'s blocks are stored, by pool and scheme. */
export function fileLocation(store: MetaStore, pools: PoolSet, inode: Inode, pendingBlocks = 0): FileLocation {
  const parts = new Map<string, {pool: string; scheme: string; blocks: number; bytes: number}>()
  let tolerant = true
  for (const {record} of inode.kind === 'file' ? store.blockMaps.blocksOf(inode.ino) : []) {
    // A block's shards are all in one pool.
    const pool = pools.drive(record.shards[0]!.drive)?.poolName ?? `drive #${record.shards[0]!.drive}`
    const scheme = describeTopology(record.topology)
    const key = `${pool}\0${scheme}`
    const part = parts.get(key) ?? {pool, scheme, blocks: 0, bytes: 0}
    part.blocks++
    part.bytes += record.lengthBytes
    parts.set(key, part)
    if (toleratedLosses(record.topology) < 1) tolerant = false
  }
  return {
    parts: [...parts.values()], pendingBlocks, protected: tolerant && pendingBlocks === 0,
    ...(inode.tierRule === undefined ? {} : {rule: inode.tierRule}),
  }
}
