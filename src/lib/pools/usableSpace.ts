import fs from 'node:fs/promises'
import {shardCount, type Topology} from '../blocks/topology.js'
import {forecastFill} from './fillForecast.js'
import type {PoolSet} from './poolSet.js'

/**
 * The most data a scheme can store on drives with these many bytes each (docs/LIMITATIONS.md,
 * "Space"). A block is `shardCount` shards of equal size on distinct drives, `dataShards` of
 * them holding its bytes. With a drive holding at most one shard of each block, and blocks made
 * small against the drives, the shards fit while no drive is asked more than T bytes where
 * Σ min(bytes_i, T) ≥ shardCount × T; the largest such T times `dataShards` is the data. Mixed
 * sizes count: a drive much larger than the rest adds only what the others can pair with it.
 */
export function usableBytes(topology: Topology, driveBytes: readonly number[]): number {
  const width = shardCount(topology)
  const fits = (perDrive: number): boolean => driveBytes.reduce((sum, bytes) => sum + Math.min(bytes, perDrive), 0) >= width * perDrive
  let low = 0
  let high = Math.max(0, ...driveBytes)
  // f(T) = Σ min(bytes_i, T) − width·T is concave and 0 at 0: the feasible T form one interval.
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2)
    if (fits(middle)) low = middle
    else high = middle
  }
  if (fits(high)) low = high
  return low * dataShardsOf(topology)
}

function dataShardsOf(topology: Topology): number {
  return topology.kind === 'erasure' ? topology.data : 1
}

export interface PoolSpace {
  readonly pool: string
  /** Data the pool's scheme can store on its drives, empty. */
  readonly usableBytes: number
  /** Data it can store in what is free now. */
  readonly freeUsableBytes: number
  /** Data it takes, placed by its policy, before one of its drives is full (see forecastFill). */
  readonly beforeADriveFillsBytes: number
  /** Per drive id: the pool's data written by the time that drive is full, for the drives that fill. */
  readonly fullAfterBytes: ReadonlyMap<number, number>
}

/**
 * Each pool's usable space under its own scheme. Drive directories that share a device (a
 * demo, or a test) share its bytes: each is counted a share, so one disk is not counted once per
 * directory. Unavailable drives, and drives being drained, count nothing.
 */
export async function poolSpaces(pools: PoolSet): Promise<PoolSpace[]> {
  const drives = [...pools.drivesById.values()].filter((drive) => !pools.unavailable.has(drive.id))
  const devices = new Map<number | string, number>()
  const deviceOf = new Map<number, number | string>()
  for (const drive of drives) {
    // A bucket is a device of its own (the store's capacity setting is per bucket).
    const dev = drive.dir === undefined ? `bucket ${drive.id}` : (await fs.stat(drive.dir)).dev
    deviceOf.set(drive.id, dev)
    devices.set(dev, (devices.get(dev) ?? 0) + 1)
  }
  const space = new Map(await Promise.all(drives.map(async (drive) => [drive.id, await drive.space()] as const)))
  return pools.pools.map((pool) => {
    const present = pools.placeable(pool)
    const share = (drive: (typeof present)[number], bytes: number): number => Math.floor(bytes / devices.get(deviceOf.get(drive.id)!)!)
    const forecast = forecastFill(pool.policy, present.map((drive) => ({
      id: drive.id, totalBytes: share(drive, space.get(drive.id)!.totalBytes), freeBytes: share(drive, space.get(drive.id)!.freeBytes),
    })), pool.topology, pool.blockSizeBytes)
    return {
      pool: pool.name,
      usableBytes: usableBytes(pool.topology, present.map((drive) => share(drive, space.get(drive.id)!.totalBytes))),
      freeUsableBytes: usableBytes(pool.topology, present.map((drive) => share(drive, space.get(drive.id)!.freeBytes))),
      ...forecast,
    }
  })
}
