import {shardCount, shardSizeBytes} from '../blocks/topology.js'
import {ShmrError} from '../errors.js'
import {formatSize} from '../format/size.js'
import type {MetaStore} from '../meta/metaStore.js'
import type {DriveSpace} from '../pools/policies/index.js'
import type {PoolSet} from '../pools/poolSet.js'
import type {Topology} from '../blocks/topology.js'
import type {Pool} from '../pools/poolSet.js'
import {isAlreadyThere, isFresh, placementOf, type Destination} from './shiftFile.js'
import type {FileTarget} from '../fs/targets.js'

export interface FilePlan {
  readonly ino: number
  readonly label: string
  readonly sizeBytes: number
  readonly action: 'shift' | 'skip'
  /** New blocks to write (holes and blocks staged by an earlier run excluded). */
  readonly blocksToWrite: number
}

export interface DrivePlan {
  readonly name: string
  readonly shards: number
  readonly bytes: number
  readonly freeBytes: number
}

export interface ShiftPlan {
  readonly files: readonly FilePlan[]
  readonly drives: readonly DrivePlan[]
  readonly bytesToShift: number
}

/**
 * What a shift will do, checked against the destination drives' free space with the pool's own
 * placement policy before anything is written: NO_SPACE here means nothing was touched.
 */
export async function planShift(store: MetaStore, pools: PoolSet, files: readonly FileTarget[],
  destinationOf: (ino: number) => Destination): Promise<ShiftPlan> {
  const space = new Map<number, DriveSpace>()
  const planned = new Map<number, {shards: number; bytes: number}>()
  const plans: FilePlan[] = []
  const poolsUsed = new Set<Destination['pool']>()
  for (const file of files) {
    const destination = destinationOf(file.ino)
    for (const pool of destination.head ? [destination.pool, destination.head.pool] : [destination.pool]) {
      if (poolsUsed.has(pool)) continue
      poolsUsed.add(pool)
      for (const drive of pools.placeable(pool)) space.set(drive.id, await drive.space())
    }
    // Inside a running server the mount may delete a file after the targets were walked (the
    // drives' free space is awaited above): a file gone is not planned, nor moved.
    const inode = store.inodes.findInode(file.ino)
    if (!inode) continue
    const sourceBlockSizeBytes = inode.blockSizeBytes ?? pools.writePool.blockSizeBytes
    if (isAlreadyThere(store, inode, sourceBlockSizeBytes, destination)) {
      plans.push({ino: file.ino, label: file.label, sizeBytes: inode.sizeBytes, action: 'skip', blocksToWrite: 0})
      continue
    }
    let blocksToWrite = 0
    const targetBytes = destination.blockSizeBytes
    for (let index = 0; index * targetBytes < inode.sizeBytes; index++) {
      const staged = store.staged.find([file.ino, index])
      if (staged && isFresh(store, file.ino, index, staged, sourceBlockSizeBytes, destination)) continue
      const lengthBytes = Math.min(targetBytes, inode.sizeBytes - index * targetBytes)
      const firstSource = Math.floor((index * targetBytes) / sourceBlockSizeBytes)
      const lastSource = Math.floor((index * targetBytes + lengthBytes - 1) / sourceBlockSizeBytes)
      if (store.blockMaps.blocksOf(file.ino, firstSource, lastSource + 1).length === 0) continue // a hole stays a hole
      placeOne(placementOf(destination, index), space, planned, shardSizeBytes(placementOf(destination, index).topology, lengthBytes))
      blocksToWrite++
    }
    plans.push({ino: file.ino, label: file.label, sizeBytes: inode.sizeBytes, action: 'shift', blocksToWrite})
  }
  return {
    files: plans,
    drives: [...poolsUsed].flatMap((pool) => pool.drives).map((drive) => ({
      name: drive.name, shards: planned.get(drive.id)?.shards ?? 0, bytes: planned.get(drive.id)?.bytes ?? 0,
      freeBytes: space.get(drive.id)?.freeBytes ?? 0,
    })),
    bytesToShift: plans.filter((plan) => plan.action === 'shift').reduce((sum, plan) => sum + plan.sizeBytes, 0),
  }
}

function placeOne(destination: {pool: Pool; topology: Topology}, space: Map<number, DriveSpace>, planned: Map<number, {shards: number; bytes: number}>, shardBytes: number): void {
  const count = shardCount(destination.topology)
  const poolDrives = new Set(destination.pool.drives.map((drive) => drive.id))
  const chosen = destination.pool.policy.place([...space.values()].filter((drive) => poolDrives.has(drive.id)), count, shardBytes)
  if (!chosen) {
    const needed = [...planned.values()].reduce((sum, drive) => sum + drive.bytes, 0) + shardBytes * count
    throw new ShmrError('NO_SPACE', `pool ${destination.pool.name} has too little room for this job (about ${formatSize(needed)} in ${count} distinct drives needed); nothing was written`, {
      hint: 'free space on the pool\'s drives, shift fewer files, or use a narrower scheme',
    })
  }
  for (const id of chosen) {
    const drive = space.get(id)!
    space.set(id, {...drive, freeBytes: drive.freeBytes - shardBytes})
    const sum = planned.get(id) ?? {shards: 0, bytes: 0}
    planned.set(id, {shards: sum.shards + 1, bytes: sum.bytes + shardBytes})
  }
}
