import assert from 'node:assert/strict'
import path from 'node:path'
import {erasure, mirror, SINGLE, type Topology} from '../blocks/topology.js'
import {ShmrError} from '../errors.js'
import {DEFAULT_ARCHIVE_BLOCK_SIZE_BYTES, MAX_BLOCK_SIZE_BYTES, MIN_BLOCK_SIZE_BYTES} from '../format/constants.js'
import {formatSize, isPowerOfTwo, parseSize} from '../format/size.js'
import {DEFAULT_PLACEMENT_POLICY, PLACEMENT_POLICIES} from '../pools/policies/index.js'
import {parseDuration} from '../format/duration.js'
import {LOG_LEVELS, type LogLevel} from '../log.js'
import type {MountConfig, PoolRole} from './types.js'

/**
 * Parsers and formatters for config values: each key's rules live here once, shared by
 * loadConfig (YAML → ShmrConfig) and formatConfig (ShmrConfig → YAML).
 */

export const TOP_LEVEL_KEYS = ['metadata', 'mountpoint', 'blockSize', 'objectStores', 'pools', 'mount', 'tiers'] as const
export const MOUNT_KEYS = ['allowOther', 'defaultPermissions', 'cacheSize', 'flushAfter', 'requestTimeout', 'readAhead', 'logLevel', 'tierEvery', 'tierAtFill', 'refuseUnreadable', 'busyAbove'] as const
export const POOL_KEYS = ['name', 'role', 'blockSize', 'erasure', 'mirror', 'placement', 'rate', 'drives'] as const
export const ERASURE_KEYS = ['data', 'parity'] as const
export const POOL_ROLES: readonly PoolRole[] = ['write', 'archive']

const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/

const isRoot = (): boolean => process.getuid?.() === 0

/** Mount settings and their defaults: a NAS mount run as root serves every user, with kernel permission checks. */
export function defaultMountConfig(): MountConfig {
  return {allowOther: isRoot(), defaultPermissions: true, cacheBytes: 256 * 1024 * 1024, flushAfterMs: 5000, requestTimeoutMs: 120_000,
    readAheadBytes: 4 * 1024 * 1024, logLevel: 'info', refuseUnreadable: false, busyAboveBytesPerSecond: 32 * 1024 * 1024}
}

/** mount.busyAbove: a size per second, or 0 (moves never wait for the mount). */
export function parseBusyAbove(raw: unknown): number {
  return parseSize(raw as string | number, 'mount.busyAbove')
}

/** The kernel takes the window in KiB, up to what its page cache can sensibly hold ahead of a reader. */
export function parseReadAhead(raw: unknown): number {
  const bytes = parseSize(raw as string | number, 'read-ahead')
  if (bytes < 128 * 1024 || bytes > 256 * 1024 * 1024) throw new ShmrError('BAD_CONFIG', `read-ahead ${formatSize(bytes)} is out of range; use 128K to 256M`)
  return bytes
}

/** A fill level such as `80%` (or 0.8): above 0, below 100%. */
export function parseFill(raw: unknown, what: string): number {
  const match = typeof raw === 'string' ? /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(raw) : undefined
  const fraction = match ? Number(match[1]) / 100 : typeof raw === 'number' ? raw : Number.NaN
  if (!(fraction > 0 && fraction < 1)) throw new ShmrError('BAD_CONFIG', `${what} ${JSON.stringify(raw)} must be a fill level above 0% and below 100%, like 80%`)
  return fraction
}

/** A pool's cap on what moves write to it, in bytes per second: at least 1M (an SMR drive writes 100M and more). */
export function parsePoolRate(raw: unknown): number {
  const bytes = parseSize(raw as string | number, 'rate')
  if (bytes < 1024 * 1024) throw new ShmrError('BAD_CONFIG', `rate ${formatSize(bytes)} per second is too low; use at least 1M`)
  return bytes
}

export function parseBoolean(raw: unknown, what: string): boolean {
  if (typeof raw !== 'boolean') throw new ShmrError('BAD_CONFIG', `${what} must be true or false, got ${JSON.stringify(raw)}`)
  return raw
}

/**
 * The cache holds at least this many of the largest block any pool writes: the one a reader is
 * in and the one read ahead of it (checked across keys by loadConfig).
 */
export const MIN_CACHED_BLOCKS = 2
assert(defaultMountConfig().cacheBytes >= MIN_CACHED_BLOCKS * DEFAULT_ARCHIVE_BLOCK_SIZE_BYTES, 'the default cache holds the default archive blocks')

export function parseCacheSize(raw: unknown): number {
  const bytes = parseSize(raw as string | number, 'cache size')
  if (bytes < MAX_BLOCK_SIZE_BYTES / 16) throw new ShmrError('BAD_CONFIG', `cache size ${formatSize(bytes)} is too small; use at least ${formatSize(MAX_BLOCK_SIZE_BYTES / 16)}`)
  return bytes
}

export function parsePositiveDuration(raw: unknown, what: string): number {
  const ms = parseDuration(raw as string | number, what)
  if (ms <= 0) throw new ShmrError('BAD_CONFIG', `${what} must be longer than zero`)
  return ms
}

export function parseBlockSize(raw: unknown): number {
  const bytes = parseSize(raw as string | number, 'block size')
  if (!isPowerOfTwo(bytes) || bytes < MIN_BLOCK_SIZE_BYTES || bytes > MAX_BLOCK_SIZE_BYTES) {
    throw new ShmrError('BAD_CONFIG',
      `block size ${formatSize(bytes)} must be a power of two between ${formatSize(MIN_BLOCK_SIZE_BYTES)} and ${formatSize(MAX_BLOCK_SIZE_BYTES)}`)
  }
  return bytes
}

/** The block size a pool uses when it sets none: archives default to large blocks for SMR drives. */
export function defaultPoolBlockSize(role: PoolRole, filesystemBlockSizeBytes: number): number {
  return role === 'archive' ? DEFAULT_ARCHIVE_BLOCK_SIZE_BYTES : filesystemBlockSizeBytes
}

export function parseName(raw: unknown, what: string): string {
  if (typeof raw !== 'string' || !NAME_PATTERN.test(raw)) {
    throw new ShmrError('BAD_CONFIG', `${what} ${JSON.stringify(raw)} must be 1-64 letters, digits, _ or -, starting with a letter or digit`)
  }
  return raw
}

export function parseRole(raw: unknown): PoolRole {
  if (!POOL_ROLES.includes(raw as PoolRole)) {
    throw new ShmrError('BAD_CONFIG', `role ${JSON.stringify(raw)} must be one of ${POOL_ROLES.join(', ')}`)
  }
  return raw as PoolRole
}

export function parsePlacement(raw: unknown): string {
  if (raw === undefined) return DEFAULT_PLACEMENT_POLICY
  if (typeof raw !== 'string' || !(raw in PLACEMENT_POLICIES)) {
    throw new ShmrError('BAD_CONFIG', `placement ${JSON.stringify(raw)} must be one of ${Object.keys(PLACEMENT_POLICIES).join(', ')}`)
  }
  return raw
}

function positiveInteger(raw: unknown, what: string): number {
  if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < 1) {
    throw new ShmrError('BAD_CONFIG', `${what} must be a whole number of at least 1, got ${JSON.stringify(raw)}`)
  }
  return raw
}

/** `erasure: {data: 4, parity: 2}` or `mirror: 2`, at most one of them; neither means single. */
export function parseTopology(erasureRaw: unknown, mirrorRaw: unknown): Topology {
  if (erasureRaw !== undefined && mirrorRaw !== undefined) {
    throw new ShmrError('BAD_CONFIG', 'a pool is either erasure-coded or mirrored, not both')
  }
  if (mirrorRaw !== undefined) return rethrowAsConfig(() => mirror(positiveInteger(mirrorRaw, 'mirror')))
  if (erasureRaw === undefined) return SINGLE
  if (typeof erasureRaw !== 'object' || erasureRaw === null || Array.isArray(erasureRaw)) {
    throw new ShmrError('BAD_CONFIG', 'erasure must be a map like {data: 4, parity: 2}')
  }
  const scheme = erasureRaw as Record<string, unknown>
  const unknown = Object.keys(scheme).filter((key) => !(ERASURE_KEYS as readonly string[]).includes(key))
  if (unknown.length > 0) throw new ShmrError('BAD_CONFIG', `erasure has unknown key ${unknown.join(', ')} (known keys: data, parity)`)
  return rethrowAsConfig(() => erasure(positiveInteger(scheme.data, 'erasure.data'), positiveInteger(scheme.parity, 'erasure.parity')))
}

export function formatTopology(topology: Topology): {erasure?: {data: number; parity: number}; mirror?: number} {
  switch (topology.kind) {
    case 'single': return {}
    case 'mirror': return {mirror: topology.copies}
    case 'erasure': return {erasure: {data: topology.data, parity: topology.parity}}
  }
}

/** Resolves a directory setting against the config file's directory. */
export function parseDir(raw: unknown, baseDir: string, what: string): string {
  if (typeof raw !== 'string' || raw.trim() === '') throw new ShmrError('BAD_CONFIG', `${what} must be a directory path`)
  return path.resolve(baseDir, raw)
}

/** Writes a path relative to the config file when it lies below it, so demo trees can move. */
export function formatDir(dir: string, baseDir: string): string {
  const relative = path.relative(baseDir, dir)
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : dir
}

function rethrowAsConfig<T>(fn: () => T): T {
  try {
    return fn()
  } catch (error) {
    if (error instanceof ShmrError && error.code === 'BAD_ARGUMENT') throw new ShmrError('BAD_CONFIG', error.message)
    throw error
  }
}

/** One of LOG_LEVELS, as `mount.logLevel` names it. */
export function parseLogLevel(raw: unknown): LogLevel {
  if (typeof raw !== 'string' || !(LOG_LEVELS as readonly string[]).includes(raw)) {
    throw new ShmrError('BAD_CONFIG', `log level ${String(raw)} is not one of ${LOG_LEVELS.join(', ')}`)
  }
  return raw as LogLevel
}
