import fs from 'node:fs'
import path from 'node:path'
import YAML from 'yaml'
import {shardCount, describeTopology} from '../blocks/topology.js'
import {ShmrError, systemErrorCode} from '../errors.js'
import {DEFAULT_BLOCK_SIZE_BYTES} from '../format/constants.js'
import {formatSize} from '../format/size.js'
import {type DirectoryUse, Problems} from './problems.js'
import {parseTierRules} from './tierRules.js'
import {
  defaultMountConfig, defaultPoolBlockSize, MIN_CACHED_BLOCKS, MOUNT_KEYS, parseBlockSize, parseBoolean, parseBusyAbove, parseFill, parsePoolRate, parseCacheSize, parseLogLevel, parsePositiveDuration, parseReadAhead, parseDir, parseName, parsePlacement, parseRole, parseTopology,
  POOL_KEYS, TOP_LEVEL_KEYS,
} from './schema.js'
import type {DriveConfig, MountConfig, ObjectStoreConfig, PoolConfig, ShmrConfig} from './types.js'
import {describeBucket, isBucketValue, parseBucketDrive, parseObjectStores} from './objectStores.js'

export const DEFAULT_CONFIG_FILE = 'shmr.yaml'

/** The config path a command uses: its --config flag, else $SHMR_CONFIG, else ./shmr.yaml. */
export function resolveConfigPath(flag?: string): string {
  return path.resolve(flag || process.env.SHMR_CONFIG || DEFAULT_CONFIG_FILE)
}

/**
 * Reads and validates a config file. Every problem found is reported at once, one line each, in
 * a BAD_CONFIG error; a config that loads has existing, distinct, usable directories.
 */
export function loadConfig(file: string, options: LoadOptions = {}): ShmrConfig {
  const absolute = path.resolve(file)
  return parseConfig(readConfigText(absolute), absolute, options)
}

export interface LoadOptions {
  /**
   * A directory that does not exist is no problem (`shmr recover`: the metadata directory and the
   * write pool may be gone with their disk); one that exists must still be usable.
   */
  readonly missingDirsAllowed?: boolean
  /** A drive directory that does not exist is no problem (`shmr mount`: a dead archive drive is served degraded; a write pool's is refused by the pools). */
  readonly missingDrivesAllowed?: boolean
}

/**
 * Only the metadata directory of a config, for what must work whatever state the drives are in
 * (`shmr umount` with a drive directory gone: the mount must still be stoppable).
 */
export function loadMetadataDir(file: string): string {
  const absolute = path.resolve(file)
  let raw: unknown
  try {
    raw = YAML.parse(readConfigText(absolute))
  } catch (error) {
    if (error instanceof ShmrError) throw error
    throw new ShmrError('BAD_CONFIG', `config ${absolute} is not valid YAML: ${(error as Error).message.split('\n')[0]}`)
  }
  const metadata = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>).metadata : undefined
  if (metadata === undefined) throw new ShmrError('BAD_CONFIG', `config ${absolute} names no metadata directory`)
  return parseDir(metadata, path.dirname(absolute), 'metadata')
}

function readConfigText(absolute: string): string {
  try {
    return fs.readFileSync(absolute, 'utf8')
  } catch (error) {
    const missing = systemErrorCode(error) === 'ENOENT'
    throw new ShmrError('BAD_CONFIG', missing ? `config file ${absolute} does not exist` : `cannot read config file ${absolute}: ${(error as Error).message}`, {
      hint: missing ? 'pass -c PATH, set $SHMR_CONFIG, or create one with `shmr init --demo DIR`' : undefined,
    })
  }
}

/** Validates config text as if read from `file` (relative paths resolve against its directory). */
export function parseConfig(text: string, file: string, options: LoadOptions = {}): ShmrConfig {
  let raw: unknown
  try {
    raw = YAML.parse(text)
  } catch (error) {
    throw new ShmrError('BAD_CONFIG', `config ${file} is not valid YAML: ${(error as Error).message.split('\n')[0]}`)
  }
  const problems = new Problems()
  const config = parseTopLevel(raw, file, problems)
  checkDirectories(problems, (where) => options.missingDirsAllowed === true || (options.missingDrivesAllowed === true && /^pools\[\d+\]\.drives\./.test(where)))
  if (problems.lines.length > 0 || !config) {
    throw new ShmrError('BAD_CONFIG', `config ${file} has ${problems.lines.length} problem${problems.lines.length === 1 ? '' : 's'}`, {
      details: problems.lines, hint: 'see docs/CONFIG.md or man/shmr-config.5 (man -l) in the shmr repository for the format',
    })
  }
  return config
}

function parseTopLevel(raw: unknown, file: string, problems: Problems): ShmrConfig | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    problems.add('', 'the config must be a YAML map with metadata, mountpoint and pools')
    return undefined
  }
  const top = raw as Record<string, unknown>
  const baseDir = path.dirname(file)
  problems.unknownKeys('', top, TOP_LEVEL_KEYS)
  const required = (key: string): unknown => {
    if (top[key] === undefined) problems.add(key, 'is required')
    return top[key]
  }
  const metadataDir = problems.attempt('metadata', () => problems.directory('metadata', parseDir(required('metadata'), baseDir, 'metadata'), 'exclusive'))
  const mountpoint = problems.attempt('mountpoint', () => problems.directory('mountpoint', parseDir(required('mountpoint'), baseDir, 'mountpoint'), 'mountpoint'))
  const blockSizeBytes = problems.attempt('blockSize', () => (top.blockSize === undefined ? DEFAULT_BLOCK_SIZE_BYTES : parseBlockSize(top.blockSize)))
  const objectStores = parseObjectStores(top.objectStores, baseDir, problems)
  const pools = parsePools(required('pools'), baseDir, blockSizeBytes ?? DEFAULT_BLOCK_SIZE_BYTES, objectStores, problems)
  const mount = parseMount(top.mount, problems)
  const tiers = parseTierRules(top.tiers, pools, problems)
  if (pools && mount) checkCacheHoldsBlocks(mount.cacheBytes, pools, problems)
  if (metadataDir === undefined || mountpoint === undefined || blockSizeBytes === undefined || !pools || !mount || !tiers || !objectStores) return undefined
  return {file, metadataDir, mountpoint, blockSizeBytes, pools, mount, tiers, objectStores}
}

/**
 * The cache must hold a block being read and the one read ahead of it, of the largest block size
 * any pool writes: a smaller one makes every reader wait for the others' blocks.
 */
function checkCacheHoldsBlocks(cacheBytes: number, pools: readonly PoolConfig[], problems: Problems): void {
  const largest = pools.reduce((max, pool) => (pool.blockSizeBytes > max.blockSizeBytes ? pool : max))
  const minimumBytes = MIN_CACHED_BLOCKS * largest.blockSizeBytes
  if (cacheBytes < minimumBytes) {
    problems.add('mount.cacheSize', `cache size ${formatSize(cacheBytes)} cannot hold ${MIN_CACHED_BLOCKS} blocks of ${formatSize(largest.blockSizeBytes)} (pool ${largest.name}); use at least ${formatSize(minimumBytes)}`)
  }
}

function parseMount(raw: unknown, problems: Problems): MountConfig | undefined {
  const defaults = defaultMountConfig()
  if (raw === undefined) return defaults
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    problems.add('mount', 'must be a map of mount settings')
    return undefined
  }
  const mount = raw as Record<string, unknown>
  problems.unknownKeys('mount', mount, MOUNT_KEYS)
  const field = <T>(key: string, fallback: T, parse: (value: unknown) => T): T | undefined =>
    mount[key] === undefined ? fallback : problems.attempt(`mount.${key}`, () => parse(mount[key]))
  const parsed = {
    allowOther: field('allowOther', defaults.allowOther, (value) => parseBoolean(value, 'allowOther')),
    defaultPermissions: field('defaultPermissions', defaults.defaultPermissions, (value) => parseBoolean(value, 'defaultPermissions')),
    cacheBytes: field('cacheSize', defaults.cacheBytes, parseCacheSize),
    flushAfterMs: field('flushAfter', defaults.flushAfterMs, (value) => parsePositiveDuration(value, 'flushAfter')),
    requestTimeoutMs: field('requestTimeout', defaults.requestTimeoutMs, (value) => parsePositiveDuration(value, 'requestTimeout')),
    readAheadBytes: field('readAhead', defaults.readAheadBytes, parseReadAhead),
    logLevel: field('logLevel', defaults.logLevel, parseLogLevel),
    refuseUnreadable: field('refuseUnreadable', defaults.refuseUnreadable, (value) => parseBoolean(value, 'refuseUnreadable')),
    busyAboveBytesPerSecond: field('busyAbove', defaults.busyAboveBytesPerSecond, parseBusyAbove),
  }
  const tierEveryMs = field('tierEvery', null, (value) => parsePositiveDuration(value, 'tierEvery'))
  const tierAtFill = field('tierAtFill', null, (value) => parseFill(value, 'tierAtFill'))
  if (Object.values(parsed).some((value) => value === undefined) || tierEveryMs === undefined || tierAtFill === undefined) return undefined
  return {...parsed as MountConfig, ...(tierEveryMs === null ? {} : {tierEveryMs}), ...(tierAtFill === null ? {} : {tierAtFill})}
}

function parsePools(raw: unknown, baseDir: string, blockSizeBytes: number, stores: readonly ObjectStoreConfig[] | undefined, problems: Problems): PoolConfig[] | undefined {
  if (raw === undefined) return undefined
  if (!Array.isArray(raw) || raw.length === 0) {
    problems.add('pools', 'must be a list of pools (a write pool, then archive pools in priority order)')
    return undefined
  }
  const pools = raw.map((entry, index) => parsePool(entry, `pools[${index}]`, baseDir, blockSizeBytes, stores, problems))
  if (pools.some((pool) => pool === undefined)) return undefined
  const valid = pools as PoolConfig[]
  const writePools = valid.filter((pool) => pool.role === 'write')
  if (writePools.length !== 1) problems.add('pools', `needs exactly one pool with role write, found ${writePools.length}`)
  if (!valid.some((pool) => pool.role === 'archive')) problems.add('pools', 'needs at least one pool with role archive')
  reportDuplicates(valid.map((pool) => pool.name), 'pool name', 'pools', problems)
  reportDuplicates(valid.flatMap((pool) => pool.drives.map((drive) => drive.name)), 'drive name', 'pools', problems)
  // Like two drives sharing a directory: one bucket and prefix holds one drive's objects.
  reportDuplicates(valid.flatMap((pool) => pool.drives.flatMap((drive) => (drive.bucket ? [describeBucket(drive.bucket)] : []))), 'bucket', 'pools', problems)
  // The write pool first, archive pools after it in the order written (their priority).
  return [...writePools, ...valid.filter((pool) => pool.role !== 'write')]
}

function parsePool(raw: unknown, where: string, baseDir: string, fsBlockSizeBytes: number, stores: readonly ObjectStoreConfig[] | undefined, problems: Problems): PoolConfig | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    problems.add(where, 'must be a map with name, role and drives')
    return undefined
  }
  const pool = raw as Record<string, unknown>
  problems.unknownKeys(where, pool, POOL_KEYS)
  const name = problems.attempt(`${where}.name`, () => parseName(pool.name, 'pool name'))
  const role = problems.attempt(`${where}.role`, () => parseRole(pool.role))
  const blockSizeBytes = problems.attempt(`${where}.blockSize`, () =>
    pool.blockSize === undefined ? defaultPoolBlockSize(role ?? 'write', fsBlockSizeBytes) : parseBlockSize(pool.blockSize))
  const topology = problems.attempt(where, () => parseTopology(pool.erasure, pool.mirror))
  const placement = problems.attempt(`${where}.placement`, () => parsePlacement(pool.placement))
  const rate = problems.attempt(`${where}.rate`, () => (pool.rate === undefined ? null : parsePoolRate(pool.rate)))
  const drives = parseDrives(pool.drives, `${where}.drives`, baseDir, stores, problems)
  // The mount writes every new block to the write pool and fsyncs it before answering: that
  // needs a local drive, not a round trip to a store per file.
  for (const drive of drives ?? []) if (role === 'write' && drive.bucket) problems.add(`${where}.drives.${drive.name}`, 'a write pool\'s drives must be directories; buckets can only be archive drives')
  if (drives && topology && drives.length < shardCount(topology)) {
    problems.add(where, `scheme ${describeTopology(topology)} needs ${shardCount(topology)} drives, the pool has ${drives.length}`)
  }
  if (name === undefined || role === undefined || blockSizeBytes === undefined || !topology || placement === undefined || rate === undefined || !drives) return undefined
  return {name, role, blockSizeBytes, topology, placement, drives, ...(rate === null ? {} : {rateBytesPerSecond: rate})}
}

function parseDrives(raw: unknown, where: string, baseDir: string, stores: readonly ObjectStoreConfig[] | undefined, problems: Problems): DriveConfig[] | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw) || Object.keys(raw).length === 0) {
    problems.add(where, 'must be a map of drive name to directory, e.g. {smr0: /mnt/smr0}, or to a bucket, e.g. {s3a: {objectStore: swift, bucket: shmr-a}}')
    return undefined
  }
  const drives: DriveConfig[] = []
  for (const [name, value] of Object.entries(raw as Record<string, unknown>)) {
    const driveWhere = `${where}.${name}`
    const drive = problems.attempt(driveWhere, (): DriveConfig => (isBucketValue(value)
      ? parseBucketDrive(parseName(name, 'drive name'), value as Record<string, unknown>, stores, driveWhere, problems)
      : {name: parseName(name, 'drive name'), dir: problems.directory(driveWhere, parseDir(value, baseDir, 'drive directory'), 'exclusive')}))
    if (drive) drives.push(drive)
  }
  return drives.length === Object.keys(raw).length ? drives : undefined
}

function reportDuplicates(values: readonly string[], what: string, where: string, problems: Problems): void {
  const seen = new Set<string>()
  for (const value of values) {
    if (seen.has(value)) problems.add(where, `${what} ${value} is used twice`)
    seen.add(value)
  }
}

/**
 * Every directory named anywhere in the config exists and is usable, and no two drives (or a
 * drive and the metadata) share one. Runs over whatever parsed, so these lines come with the others.
 */
function checkDirectories(problems: Problems, missingAllowed: (where: string) => boolean): void {
  const owners = new Map<string, string>()
  for (const {where, dir, use} of problems.directories) {
    if (!fs.existsSync(dir) && missingAllowed(where)) continue
    const problem = directoryProblem(dir, use)
    if (problem) {
      problems.add(where, problem)
      continue
    }
    if (use !== 'exclusive') continue
    const real = fs.realpathSync(dir)
    const owner = owners.get(real)
    if (owner) problems.add(where, `directory ${dir} is also used by ${owner}; every drive needs its own directory`)
    owners.set(real, where)
  }
}

function directoryProblem(dir: string, use: DirectoryUse): string | undefined {
  try {
    if (!fs.statSync(dir).isDirectory()) return `${dir} is not a directory`
    fs.accessSync(dir, fs.constants.R_OK | fs.constants.W_OK | fs.constants.X_OK)
    return undefined
  } catch (error) {
    const code = systemErrorCode(error)
    if (code === 'ENOENT') return `directory ${dir} does not exist (create it, or mount the drive there)`
    if (code === 'EACCES') return `directory ${dir} is not readable and writable by this user`
    // A dead mount point keeps no command from reading the filesystem; mount clears it if it is
    // this filesystem's own, and refuses otherwise.
    if (code === 'ENOTCONN' && use === 'mountpoint') return undefined
    if (code === 'ENOTCONN') return `${dir} is a dead FUSE mount (its server is gone): clear it with fusermount3 -u ${dir}`
    return `directory ${dir} cannot be used: ${(error as Error).message}`
  }
}
