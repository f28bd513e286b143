import fs from 'node:fs/promises'
import {shardCount, type Topology} from '../blocks/topology.js'
import {forecastFill} from './fillForecast.js'
import type {DriveSpace} from './policies/policy.js'
import type {Drive} from './drive.js'
import type {Pool, PoolSet} from './poolSet.js'

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

/** What df shows of a pool: the data its scheme stores on its drives. */
export interface PoolCapacity {
  readonly pool: string
  /** Data the pool's scheme can store on its drives, empty. */
  readonly usableBytes: number
  /** Data it can store in what is free now. */
  readonly freeUsableBytes: number
}

/** A pool's capacity, and how its policy fills it (`inspect overview`). */
export interface PoolSpace extends PoolCapacity {
  /** Data it takes, placed by its policy, before one of its drives is full (see forecastFill). */
  readonly beforeADriveFillsBytes: number
  /** Per drive id: the pool's data written by the time that drive is full, for the drives that fill. */
  readonly fullAfterBytes: ReadonlyMap<number, number>
}

/**
 * Each pool's usable space under its own scheme: what statfs (df) answers, so nothing more is
 * worked out (the fill forecast took ~10 ms, and some programs call statfs before every file
 * they write: stress-ng's link stressor made 50 links a second).
 */
export async function poolCapacities(pools: PoolSet): Promise<PoolCapacity[]> {
  return (await poolDriveShares(pools)).map(({pool, drives}) => capacityOf(pool, drives))
}

/** Each pool's usable space, and where its policy fills a drive first. */
export async function poolSpaces(pools: PoolSet): Promise<PoolSpace[]> {
  return (await poolDriveShares(pools)).map(({pool, drives}) => ({
    ...capacityOf(pool, drives), ...forecastFill(pool.policy, drives, pool.topology, pool.blockSizeBytes),
  }))
}

function capacityOf(pool: Pool, drives: readonly DriveSpace[]): PoolCapacity {
  return {
    pool: pool.name,
    usableBytes: usableBytes(pool.topology, drives.map((drive) => drive.totalBytes)),
    freeUsableBytes: usableBytes(pool.topology, drives.map((drive) => drive.freeBytes)),
  }
}

/** The device of each drive's directory, looked up once per drive: statfs asks for it every time. */
const knownDevices = new WeakMap<Drive, number | string>()

async function deviceOf(drive: Drive): Promise<number | string> {
  let device = knownDevices.get(drive)
  // A bucket is a device of its own (the store's capacity setting is per bucket).
  if (device === undefined) knownDevices.set(drive, (device = drive.dir === undefined ? `bucket ${drive.id}` : (await fs.stat(drive.dir)).dev))
  return device
}

/**
 * Each pool's placeable drives with the bytes they count. Drive directories that share a device
 * (a demo, or a test) share its bytes: each is counted a share, so one disk is not counted once
 * per directory. Unavailable drives, and drives being drained, count nothing.
 */
async function poolDriveShares(pools: PoolSet): Promise<Array<{pool: Pool; drives: DriveSpace[]}>> {
  const drives = [...pools.drivesById.values()].filter((drive) => !pools.unavailable.has(drive.id))
  const deviceOfDrive = new Map(await Promise.all(drives.map(async (drive) => [drive.id, await deviceOf(drive)] as const)))
  const sharing = new Map<number | string, number>()
  for (const device of deviceOfDrive.values()) sharing.set(device, (sharing.get(device) ?? 0) + 1)
  const space = new Map(await Promise.all(drives.map(async (drive) => [drive.id, await drive.space()] as const)))
  return pools.pools.map((pool) => {
    const present = pools.placeable(pool)
    const share = (id: number, bytes: number): number => Math.floor(bytes / sharing.get(deviceOfDrive.get(id)!)!)
    return {
      pool,
      drives: present.map((drive) => ({
        id: drive.id, totalBytes: share(drive.id, space.get(drive.id)!.totalBytes), freeBytes: share(drive.id, space.get(drive.id)!.freeBytes),
      })),
    }
  })
}
