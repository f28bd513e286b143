import fs from 'node:fs'
import type {Topology} from '../blocks/topology.js'
import type {PoolConfig, PoolRole, ShmrConfig} from '../config/types.js'
import {isShmrError, ShmrError, type ShmrErrorCode} from '../errors.js'
import {describeDrive} from '../config/objectStores.js'
import {IGNORABLE_DIR_ENTRIES} from '../format/constants.js'
import type {Superblock} from '../meta/records.js'
import {BucketDrive} from './bucketDrive.js'
import type {Drive} from './drive.js'
import {openDrive} from './openDrive.js'
import {readDriveIdentity} from './driveIdentity.js'
import {PLACEMENT_POLICIES, type PlacementPolicy} from './policies/index.js'
import {RateLimiter} from './rateLimiter.js'

export class Pool {
  readonly name: string
  readonly role: PoolRole
  readonly topology: Topology
  readonly blockSizeBytes: number
  readonly policy: PlacementPolicy
  /**
   * The pool's `rate`: every move writing to its drives books its bytes here, whatever its own
   * --rate, so that together they never exceed it (one per open filesystem: the server's tasks share it).
   */
  readonly moveRate: RateLimiter | undefined

  /** The pool's drives; `shmr drive add` and `remove` change them in a running server (PoolSet.join, leave). */
  private members: Drive[]

  constructor(config: PoolConfig, drives: readonly Drive[]) {
    this.members = [...drives]
    this.name = config.name
    this.role = config.role
    this.topology = config.topology
    this.blockSizeBytes = config.blockSizeBytes
    this.policy = PLACEMENT_POLICIES[config.placement]!
    this.moveRate = config.rateBytesPerSecond === undefined ? undefined : new RateLimiter(config.rateBytesPerSecond)
  }

  get drives(): readonly Drive[] {
    return this.members
  }

  /** Called by PoolSet only, which keeps its index of drives in step. */
  setDrives(drives: readonly Drive[]): void {
    this.members = [...drives]
  }
}

export interface DriveProblem {
  readonly code: ShmrErrorCode
  readonly drive: string
  readonly message: string
}

export interface OpenPoolsOptions {
  /**
   * Let drives that are missing or blank (an empty replacement disk) through as unavailable, for
   * degraded reads and repair. A drive of another filesystem or at the wrong path always fails.
   */
  readonly allowUnavailable?: boolean
  /**
   * The mount: any archive drive that cannot be used (missing, blank, another filesystem's, another
   * drive's) is left out as unavailable, its shards rebuilt from the others. The write pool's must all be there.
   */
  readonly degradedArchive?: boolean
}

/** The pools and drives of an open filesystem, checked against the superblock and identity files. */
export class PoolSet {
  readonly drivesById = new Map<number, Drive>()
  /** Ids of drives that could not be used (missing or blank) when opened with allowUnavailable. */
  readonly unavailable = new Set<number>()
  /** Ids of drives being drained (superblock): read from, never placed on. */
  readonly draining = new Set<number>()

  /** Why each unavailable drive could not be used. */
  private constructor(readonly pools: readonly Pool[], readonly problems: readonly DriveProblem[] = []) {
    for (const pool of pools) for (const drive of pool.drives) this.drivesById.set(drive.id, drive)
  }

  static async open(config: ShmrConfig, superblock: Superblock, options: OpenPoolsOptions = {}): Promise<PoolSet> {
    const problems = await checkDrives(config, superblock)
    const archiveDrives = new Set(config.pools.filter((pool) => pool.role === 'archive').flatMap((pool) => pool.drives.map((drive) => drive.name)))
    const tolerable = (problem: DriveProblem): boolean =>
      (options.allowUnavailable === true && problem.code === 'DRIVE_MISSING') ||
      (options.degradedArchive === true && archiveDrives.has(problem.drive) && ['DRIVE_MISSING', 'DRIVE_FOREIGN', 'DRIVE_MISPLACED'].includes(problem.code))
    const fatal = problems.filter((problem) => !tolerable(problem))
    if (fatal.length > 0) {
      throw new ShmrError(fatal[0]!.code, fatal.length === 1 ? fatal[0]!.message : `${fatal.length} drives cannot be used`, {
        details: fatal.length === 1 ? [] : fatal.map((problem) => problem.message),
        hint: 'mount each drive at the directory the config names, or fix the config',
      })
    }
    const idByName = new Map(superblock.drives.map((entry) => [entry.name, entry.id]))
    const pools = config.pools.map((pool) => new Pool(pool, pool.drives.map((drive) => openDrive(idByName.get(drive.name)!, pool.name, drive))))
    const set = new PoolSet(pools, problems)
    for (const problem of problems) {
      const id = idByName.get(problem.drive)
      if (id !== undefined) set.unavailable.add(id)
    }
    for (const entry of superblock.drives) if (entry.draining) set.draining.add(entry.id)
    return set
  }

  get writePool(): Pool {
    return this.pools.find((pool) => pool.role === 'write')!
  }

  pool(name: string): Pool {
    const pool = this.pools.find((candidate) => candidate.name === name)
    if (!pool) throw new ShmrError('BAD_ARGUMENT', `there is no pool named ${name}`, {hint: `pools: ${this.pools.map((p) => p.name).join(', ')}`})
    return pool
  }

  drive(id: number): Drive | undefined {
    return this.drivesById.get(id)
  }

  /** A drive added while the filesystem is open (`shmr drive add` through a mount): new shards may use it at once. */
  join(drive: Drive): void {
    const pool = this.pool(drive.poolName)
    pool.setDrives([...pool.drives, drive])
    this.drivesById.set(drive.id, drive)
  }

  /** A drive taken out while the filesystem is open (`shmr drive remove` through a mount). */
  leave(id: number): void {
    const drive = this.drivesById.get(id)
    if (!drive) return
    const pool = this.pool(drive.poolName)
    pool.setDrives(pool.drives.filter((member) => member.id !== id))
    this.drivesById.delete(id)
    this.unavailable.delete(id)
    this.draining.delete(id)
  }

  /** The drives of `pool` new shards may go to: there, and not being drained. */
  placeable(pool: Pool): Drive[] {
    return pool.drives.filter((drive) => !this.unavailable.has(drive.id) && !this.draining.has(drive.id))
  }
}

/** Every reason a configured drive cannot be used as the filesystem's drive of that name. */
export async function checkDrives(config: ShmrConfig, superblock: Superblock): Promise<DriveProblem[]> {
  const problems: DriveProblem[] = []
  const configured = new Map(config.pools.flatMap((pool) => pool.drives.map((drive) => [drive.name, {pool: pool.name, drive}] as const)))
  const identityChecks: Array<Promise<DriveProblem | undefined>> = []
  for (const entry of superblock.drives) {
    const drive = configured.get(entry.name)
    if (!drive) {
      problems.push({code: 'BAD_CONFIG', drive: entry.name, message: `drive ${entry.name} of pool ${entry.pool} is part of the filesystem but missing from the config`})
      continue
    }
    if (drive.pool !== entry.pool) {
      problems.push({code: 'BAD_CONFIG', drive: entry.name, message: `drive ${entry.name} belongs to pool ${entry.pool}, but the config puts it in pool ${drive.pool}`})
    }
    identityChecks.push(drive.drive.bucket
      ? bucketIdentityProblem(new BucketDrive(entry.id, entry.name, entry.pool, drive.drive.bucket), superblock.uuid)
      : Promise.resolve(identityProblem(entry.name, entry.id, drive.drive.dir, superblock.uuid)))
  }
  for (const problem of await Promise.all(identityChecks)) if (problem) problems.push(problem)
  const known = new Set(superblock.drives.map((entry) => entry.name))
  for (const [name, drive] of configured) {
    if (!known.has(name)) {
      problems.push({code: 'BAD_CONFIG', drive: name, message: `drive ${name} (${describeDrive(drive.drive)}) is in the config but not part of filesystem ${superblock.uuid}`})
    }
  }
  return problems
}

function identityProblem(name: string, id: number, dir: string, uuid: string): DriveProblem | undefined {
  if (!fs.existsSync(dir)) {
    return {code: 'DRIVE_MISSING', drive: name, message: `drive ${name}: directory ${dir} does not exist`}
  }
  const identity = readDriveIdentity(dir)
  if (!identity) {
    const entries = fs.readdirSync(dir).filter((entry) => !IGNORABLE_DIR_ENTRIES.includes(entry))
    return entries.length === 0
      ? {code: 'DRIVE_MISSING', drive: name, message: `drive ${name}: ${dir} is empty (a replaced drive? \`shmr verify --repair\` restores it)`}
      : {code: 'DRIVE_FOREIGN', drive: name, message: `drive ${name}: ${dir} is not a shmr drive (no identity file; is the drive mounted there?)`}
  }
  if (identity.filesystemUuid !== uuid) {
    return {code: 'DRIVE_FOREIGN', drive: name, message: `drive ${name}: ${dir} belongs to another filesystem (${identity.filesystemUuid}, not ${uuid})`}
  }
  if (identity.driveId !== id) {
    return {code: 'DRIVE_MISPLACED', drive: name, message: `drive ${name}: ${dir} holds drive ${identity.driveName} of this filesystem (drives mounted at swapped paths?)`}
  }
  return undefined
}

/** identityProblem for a bucket drive: a store that cannot be reached, or an empty bucket, is a missing drive. */
export async function bucketIdentityProblem(drive: BucketDrive, uuid: string): Promise<DriveProblem | undefined> {
  const {name} = drive
  try {
    const identity = await drive.readIdentity()
    if (!identity) {
      return await drive.isEmpty()
        ? {code: 'DRIVE_MISSING', drive: name, message: `drive ${name}: ${drive.location} is empty (a replaced bucket? \`shmr verify --repair\` restores it)`}
        : {code: 'DRIVE_FOREIGN', drive: name, message: `drive ${name}: ${drive.location} is not a shmr drive (no identity object)`}
    }
    if (identity.filesystemUuid !== uuid) {
      return {code: 'DRIVE_FOREIGN', drive: name, message: `drive ${name}: ${drive.location} belongs to another filesystem (${identity.filesystemUuid}, not ${uuid})`}
    }
    if (identity.driveId !== drive.id) {
      return {code: 'DRIVE_MISPLACED', drive: name, message: `drive ${name}: ${drive.location} holds drive ${identity.driveName} of this filesystem (buckets swapped in the config?)`}
    }
    return undefined
  } catch (error) {
    // A store that cannot be reached is a drive gone (served degraded); one that refuses (wrong
    // keys, no such bucket) or a config without credentials is a mistake to fix, not to serve around.
    if (!isShmrError(error, 'UNAVAILABLE')) throw error
    return {code: 'DRIVE_MISSING', drive: name, message: `drive ${name}: ${error.message}`}
  }
}
