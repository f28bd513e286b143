import fs from 'node:fs/promises'
import {parseMetricsText, type MetricSample} from '../metrics/metricsText.js'
import {describeTopology, shardSizeBytes} from '../blocks/topology.js'
import type {ShmrConfig} from '../config/types.js'
import {METRICS_FILE} from '../format/constants.js'
import {type DeadMount, findDeadMount} from '../fuse/deadMount.js'
import {ExclusiveLock} from '../meta/exclusiveLock.js'
import {poolSpaces} from '../pools/usableSpace.js'
import {checkDrives} from '../pools/poolSet.js'
import type {ReadOnlyFs} from './openReadOnly.js'
import {listTombstones} from './tombstones.js'

export interface DriveOverview {
  readonly name: string
  readonly dir: string
  readonly present: boolean
  /** Why the drive cannot be used, when it cannot. */
  readonly problem?: string
  /** Being emptied by `shmr drive drain`: new shards go elsewhere. */
  readonly draining: boolean
  readonly capacityBytes: number
  readonly usedBytes: number
  readonly freeBytes: number
  /** The pool's data written from now until this drive is full, its placement played forward; absent: it does not fill first (or takes no shards). */
  readonly fullAfterBytes?: number
  /** Block and shard files the metadata points at on this drive, and their bytes. */
  readonly files: number
  readonly storedBytes: number
}

export interface Overview {
  readonly uuid: string
  readonly formatVersion: number
  readonly blockSizeBytes: number
  readonly createdAt: string
  readonly mounted: {readonly pid: number; readonly mountpoint?: string} | undefined
  readonly heldBy?: {readonly pid: number; readonly purpose: string}
  /** Not mounted, but a server that died left its mount point dead: `shmr umount` clears it. */
  readonly deadMount?: DeadMount
  /** `usableBytes`, `freeUsableBytes`: the data the pool's scheme can store on its drives, empty and now (pools/usableSpace.ts: what df sums). */
  readonly pools: ReadonlyArray<{readonly name: string; readonly role: string; readonly scheme: string; readonly blockSizeBytes: number;
    readonly usableBytes: number; readonly freeUsableBytes: number; readonly beforeADriveFillsBytes: number; readonly drives: readonly DriveOverview[]}>
  /** Files and their logical stored bytes, by the scheme (topology) their blocks have. */
  readonly byTopology: Record<string, {readonly files: number; readonly bytes: number}>
  readonly byPool: Record<string, {readonly files: number; readonly bytes: number}>
  readonly files: number
  readonly directories: number
  /** Bytes inside files that no block holds. */
  readonly holeBytes: number
  readonly tombstones: {readonly files: number; readonly bytes: number}
  /** The mount's latest metrics (its metrics file's samples), when mounted. */
  readonly metrics?: readonly MetricSample[]
}

/** `shmr inspect overview`: the state of the whole filesystem at a glance. */
export async function inspectOverview(config: ShmrConfig, {store, pools, blocks}: ReadOnlyFs): Promise<Overview> {
  const superblock = store.superblock
  const holder = ExclusiveLock.holder(config.metadataDir)
  const perDrive = new Map<number, {files: number; bytes: number}>()
  const byTopology: Record<string, {files: number; bytes: number}> = {}
  const byPool: Record<string, {files: number; bytes: number}> = {}
  let files = 0
  let directories = 0
  let holeBytes = 0
  for (const inode of store.inodes.all()) {
    if (inode.kind === 'dir') directories++
    if (inode.kind !== 'file') continue
    files++
    holeBytes += inode.sizeBytes - (inode.storedBytes ?? 0)
    const topologies = new Set<string>()
    const filePools = new Set<string>()
    for (const {index, record} of store.blockMaps.blocksOf(inode.ino)) {
      topologies.add(describeTopology(record.topology))
      const shardBytes = shardSizeBytes(record.topology, record.lengthBytes)
      for (const file of blocks.filesOf({fileId: inode.ino, blockIndex: index}, record)) {
        const sum = perDrive.get(file.drive) ?? {files: 0, bytes: 0}
        perDrive.set(file.drive, {files: sum.files + 1, bytes: sum.bytes + shardBytes})
        filePools.add(pools.drive(file.drive)?.poolName ?? '?')
      }
    }
    for (const key of topologies) byTopology[key] = {files: (byTopology[key]?.files ?? 0) + 1, bytes: (byTopology[key]?.bytes ?? 0) + (inode.storedBytes ?? 0)}
    for (const key of filePools) byPool[key] = {files: (byPool[key]?.files ?? 0) + 1, bytes: (byPool[key]?.bytes ?? 0) + (inode.storedBytes ?? 0)}
  }
  const problems = new Map((await checkDrives(config, superblock)).map((problem) => [problem.drive, problem.message]))
  const spaces = new Map((await poolSpaces(pools)).map((space) => [space.pool, space]))
  const poolRows = await Promise.all(pools.pools.map(async (pool) => ({
    name: pool.name, role: pool.role, scheme: describeTopology(pool.topology), blockSizeBytes: pool.blockSizeBytes,
    usableBytes: spaces.get(pool.name)!.usableBytes, freeUsableBytes: spaces.get(pool.name)!.freeUsableBytes,
    beforeADriveFillsBytes: spaces.get(pool.name)!.beforeADriveFillsBytes,
    drives: await Promise.all(pool.drives.map(async (drive): Promise<DriveOverview> => {
      const space = await drive.space().catch(() => undefined)
      return {
        name: drive.name, dir: drive.location, present: space !== undefined && !pools.unavailable.has(drive.id), problem: problems.get(drive.name),
        draining: pools.draining.has(drive.id),
        ...(spaces.get(pool.name)!.fullAfterBytes.has(drive.id) ? {fullAfterBytes: spaces.get(pool.name)!.fullAfterBytes.get(drive.id)!} : {}),
        capacityBytes: space?.totalBytes ?? 0, freeBytes: space?.freeBytes ?? 0, usedBytes: space ? space.totalBytes - space.freeBytes : 0,
        files: perDrive.get(drive.id)?.files ?? 0, storedBytes: perDrive.get(drive.id)?.bytes ?? 0,
      }
    })),
  })))
  const tombstones = await listTombstones({store, pools})
  const mounted = holder?.purpose === 'mount' ? {pid: holder.pid, mountpoint: holder.mountpoint} : undefined
  const metricsText = mounted ? await fs.readFile(`${config.metadataDir}/${METRICS_FILE}`, 'utf8').catch(() => undefined) : undefined
  const metrics = metricsText === undefined ? undefined : parseMetricsText(metricsText)
  return {
    uuid: superblock.uuid, formatVersion: superblock.formatVersion, blockSizeBytes: superblock.blockSizeBytes, createdAt: superblock.createdAt,
    mounted, heldBy: holder && holder.purpose !== 'mount' ? {pid: holder.pid, purpose: holder.purpose} : undefined,
    deadMount: holder ? undefined : await findDeadMount(config.metadataDir),
    pools: poolRows, byTopology, byPool, files, directories, holeBytes, tombstones: {files: tombstones.files, bytes: tombstones.bytes}, metrics,
  }
}
