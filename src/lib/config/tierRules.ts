import {Minimatch} from 'minimatch'
import {parseScheme, shardCount, describeTopology, type Topology} from '../blocks/topology.js'
import {ShmrError} from '../errors.js'
import {parseDuration} from '../format/duration.js'
import {parseSize} from '../format/size.js'
import type {Problems} from './problems.js'
import type {PoolConfig} from './types.js'

/** When a rule applies; every condition given must hold. */
export interface TierMatch {
  /** A glob over the file's path in the filesystem (`/movies/**`), dot files included. */
  readonly path?: string
  readonly minSizeBytes?: number
  readonly maxSizeBytes?: number
  /** Not modified for at least this long. */
  readonly olderThanMs?: number
  /** Not opened for reading for at least this long (recorded at open, not per read). */
  readonly notAccessedForMs?: number
  /** The value of the file's `user.shmr.tier` extended attribute (pins a file). */
  readonly xattr?: string
}

export type TierAction =
  | {readonly keep: true}
  | {readonly pool: string; readonly topology?: Topology; readonly headBytes?: number}

export interface TierRule {
  readonly name: string
  readonly match: TierMatch
  readonly action: TierAction
}

export const TIER_XATTR = 'user.shmr.tier'
const RULE_KEYS = ['name', 'match', 'action']
const MATCH_KEYS = ['path', 'minSize', 'maxSize', 'olderThan', 'notAccessedFor', 'xattr']
const ACTION_KEYS = ['keep', 'pool', 'scheme', 'head']

/** Parses the `tiers` list: each rule checked against the pools, one problem line each. */
export function parseTierRules(raw: unknown, pools: readonly PoolConfig[] | undefined, problems: Problems): TierRule[] | undefined {
  if (raw === undefined) return []
  if (!Array.isArray(raw)) {
    problems.add('tiers', 'must be a list of rules ({name, match, action}), evaluated in order')
    return undefined
  }
  const rules = raw.map((entry, index) => parseRule(entry, `tiers[${index}]`, pools, problems))
  return rules.every((rule) => rule !== undefined) ? rules as TierRule[] : undefined
}

function parseRule(raw: unknown, where: string, pools: readonly PoolConfig[] | undefined, problems: Problems): TierRule | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return void problems.add(where, 'must be a map with name, match and action')
  const rule = raw as Record<string, unknown>
  problems.unknownKeys(where, rule, RULE_KEYS)
  const name = typeof rule.name === 'string' && rule.name !== '' ? rule.name : (problems.add(`${where}.name`, 'is required'), undefined)
  const match = problems.attempt(`${where}.match`, () => parseMatch(rule.match, `${where}.match`, problems))
  const action = problems.attempt(`${where}.action`, () => parseAction(rule.action, `${where}.action`, pools, problems))
  return name !== undefined && match && action ? {name, match, action} : undefined
}

function asMap(raw: unknown, what: string): Record<string, unknown> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ShmrError('BAD_CONFIG', `${what} must be a map`)
  return raw as Record<string, unknown>
}

function parseMatch(raw: unknown, where: string, problems: Problems): TierMatch {
  const match = asMap(raw ?? {}, 'match')
  problems.unknownKeys(where, match, MATCH_KEYS)
  if (match.path !== undefined) {
    if (typeof match.path !== 'string' || !match.path.startsWith('/')) throw new ShmrError('BAD_CONFIG', `path ${JSON.stringify(match.path)} must be a glob starting with / (like /movies/**)`)
    if (new Minimatch(match.path).makeRe() === false) throw new ShmrError('BAD_CONFIG', `path ${match.path} is not a valid glob`)
  }
  if (match.xattr !== undefined && typeof match.xattr !== 'string') throw new ShmrError('BAD_CONFIG', 'xattr must be the value user.shmr.tier should have')
  const size = (key: string): number | undefined => (match[key] === undefined ? undefined : parseSize(match[key] as string, key))
  const age = (key: string): number | undefined => (match[key] === undefined ? undefined : parseDuration(match[key] as string, key))
  return {
    ...(match.path === undefined ? {} : {path: match.path as string}),
    ...(match.minSize === undefined ? {} : {minSizeBytes: size('minSize')}),
    ...(match.maxSize === undefined ? {} : {maxSizeBytes: size('maxSize')}),
    ...(match.olderThan === undefined ? {} : {olderThanMs: age('olderThan')}),
    ...(match.notAccessedFor === undefined ? {} : {notAccessedForMs: age('notAccessedFor')}),
    ...(match.xattr === undefined ? {} : {xattr: match.xattr as string}),
  }
}

function parseAction(raw: unknown, where: string, pools: readonly PoolConfig[] | undefined, problems: Problems): TierAction {
  const action = asMap(raw, 'action')
  problems.unknownKeys(where, action, ACTION_KEYS)
  if (action.keep === true) {
    if (Object.keys(action).length > 1) throw new ShmrError('BAD_CONFIG', 'keep: true takes no other settings')
    return {keep: true}
  }
  if (typeof action.pool !== 'string') throw new ShmrError('BAD_CONFIG', 'needs keep: true, or pool: NAME')
  const pool = pools?.find((candidate) => candidate.name === action.pool)
  if (pools && !pool) throw new ShmrError('BAD_CONFIG', `pool ${action.pool} does not exist (pools: ${pools.map((p) => p.name).join(', ')})`)
  const topology = action.scheme === undefined ? undefined : parseScheme(String(action.scheme))
  if (pool && topology && shardCount(topology) > pool.drives.length) {
    throw new ShmrError('BAD_CONFIG', `scheme ${describeTopology(topology)} needs ${shardCount(topology)} drives, pool ${pool.name} has ${pool.drives.length}`)
  }
  const headBytes = action.head === undefined ? undefined : parseSize(action.head as string, 'head')
  return {pool: action.pool, ...(topology ? {topology} : {}), ...(headBytes === undefined ? {} : {headBytes})}
}
