import path from 'node:path'
import {ShmrError} from '../errors.js'
import {parseDuration, formatDuration} from '../format/duration.js'
import {formatSizeExact, parseSize} from '../format/size.js'
import {Problems} from './problems.js'
import type {BucketDriveConfig, BucketLocation, DriveConfig, ObjectStoreConfig} from './types.js'

/**
 * The `objectStores` section of the config, and the bucket drives that name a store: parsed and
 * formatted here, in one place, for loadConfig and formatConfig.
 */

export const OBJECT_STORE_KEYS = ['endpoint', 'region', 'pathStyle', 'capacity', 'credentialsFile', 'requestTimeout'] as const
export const BUCKET_DRIVE_KEYS = ['objectStore', 'bucket', 'prefix'] as const

const DEFAULTS = {region: 'us-east-1', pathStyle: true, capacityBytes: 2 ** 50, requestTimeoutMs: 30_000}

/** S3's bucket naming rules (3-63 lower-case letters, digits, dots and hyphens), which every S3-compatible store accepts. */
const BUCKET_PATTERN = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/

export function parseObjectStores(raw: unknown, baseDir: string, problems: Problems): ObjectStoreConfig[] | undefined {
  if (raw === undefined) return []
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    problems.add('objectStores', 'must be a map of store name to its settings, e.g. {swift: {endpoint: http://10.0.0.5:8080}}')
    return undefined
  }
  const stores: ObjectStoreConfig[] = []
  for (const [name, value] of Object.entries(raw as Record<string, unknown>)) {
    const where = `objectStores.${name}`
    const store = problems.attempt(where, () => parseObjectStore(name, value, baseDir, where, problems))
    if (store) stores.push(store)
  }
  return stores.length === Object.keys(raw).length ? stores : undefined
}

function parseObjectStore(name: string, raw: unknown, baseDir: string, where: string, problems: Problems): ObjectStoreConfig {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ShmrError('BAD_CONFIG', 'must be a map with at least endpoint')
  const store = raw as Record<string, unknown>
  problems.unknownKeys(where, store, OBJECT_STORE_KEYS)
  return {
    name,
    endpoint: parseEndpoint(store.endpoint),
    region: store.region === undefined ? DEFAULTS.region : parseText(store.region, 'region'),
    pathStyle: store.pathStyle === undefined ? DEFAULTS.pathStyle : parseFlag(store.pathStyle, 'pathStyle'),
    capacityBytes: store.capacity === undefined ? DEFAULTS.capacityBytes : parseSize(store.capacity as string | number, 'capacity'),
    requestTimeoutMs: store.requestTimeout === undefined ? DEFAULTS.requestTimeoutMs : parseDuration(store.requestTimeout as string, 'requestTimeout'),
    ...(store.credentialsFile === undefined ? {} : {credentialsFile: path.resolve(baseDir, parseText(store.credentialsFile, 'credentialsFile'))}),
  }
}

/** A store named on the command line (decode's --endpoint), with the config's defaults for the rest. */
export function commandLineObjectStore(options: {endpoint: string; region?: string; credentialsFile?: string}): ObjectStoreConfig {
  let endpoint: string
  try {
    endpoint = parseEndpoint(options.endpoint)
  } catch (error) {
    throw new ShmrError('BAD_ARGUMENT', `--${(error as Error).message}`)
  }
  return {
    name: 'command line', endpoint, region: options.region ?? DEFAULTS.region, pathStyle: DEFAULTS.pathStyle,
    capacityBytes: DEFAULTS.capacityBytes, requestTimeoutMs: DEFAULTS.requestTimeoutMs,
    ...(options.credentialsFile === undefined ? {} : {credentialsFile: path.resolve(options.credentialsFile)}),
  }
}

function parseEndpoint(raw: unknown): string {
  const text = parseText(raw, 'endpoint')
  let url: URL
  try {
    url = new URL(text)
  } catch {
    throw new ShmrError('BAD_CONFIG', `endpoint ${text} is not a URL; write it as http://host:port or https://host`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ShmrError('BAD_CONFIG', `endpoint ${text} must start with http:// or https://`)
  if (url.username || url.password) throw new ShmrError('BAD_CONFIG', 'endpoint must not carry credentials; put them in credentialsFile or the environment')
  if (url.pathname !== '/' || url.search) throw new ShmrError('BAD_CONFIG', `endpoint ${text} must be only scheme, host and port`)
  return `${url.protocol}//${url.host}`
}

function parseText(raw: unknown, what: string): string {
  if (typeof raw !== 'string' || raw.trim() === '') throw new ShmrError('BAD_CONFIG', `${what} must be a non-empty string`)
  return raw.trim()
}

function parseFlag(raw: unknown, what: string): boolean {
  if (typeof raw !== 'boolean') throw new ShmrError('BAD_CONFIG', `${what} must be true or false`)
  return raw
}

/** Whether a drive's config value names a bucket (a map) rather than a directory (a path). */
export function isBucketValue(raw: unknown): boolean {
  return typeof raw === 'object' && raw !== null && !Array.isArray(raw)
}

/** A drive given as {objectStore, bucket, prefix}. */
export function parseBucketDrive(name: string, raw: Record<string, unknown>, stores: readonly ObjectStoreConfig[] | undefined, where: string, problems: Problems): BucketDriveConfig {
  problems.unknownKeys(where, raw, BUCKET_DRIVE_KEYS)
  const storeName = parseText(raw.objectStore, 'objectStore')
  const store = stores?.find((candidate) => candidate.name === storeName)
  if (!store) {
    throw new ShmrError('BAD_CONFIG', stores === undefined ? `object store ${storeName} is not usable (see objectStores)` : `there is no object store named ${storeName} in objectStores`)
  }
  const bucket = parseText(raw.bucket, 'bucket')
  if (!BUCKET_PATTERN.test(bucket)) throw new ShmrError('BAD_CONFIG', `bucket ${bucket} is not a valid bucket name (3-63 lower-case letters, digits, dots and hyphens)`)
  let prefix = raw.prefix === undefined ? '' : parseText(raw.prefix, 'prefix').replace(/^\/+/, '')
  if (prefix !== '' && !prefix.endsWith('/')) prefix += '/'
  if (prefix.split('/').some((part, i, parts) => (part === '' && i < parts.length - 1) || part === '.' || part === '..')) {
    throw new ShmrError('BAD_CONFIG', `prefix ${String(raw.prefix)} must be path segments without empty, . or .. parts`)
  }
  return {name, bucket: {store, bucket, prefix}}
}

/** An s3://BUCKET[/PREFIX] location (decode's arguments, drive add's): the bucket, and the prefix as a drive's ('' or ending in '/'). */
export function parseBucketUrl(url: string): {bucket: string; prefix: string} {
  const match = /^s3:\/\/([^/]+)(?:\/(.*))?$/.exec(url)
  if (!match) throw new ShmrError('BAD_ARGUMENT', `${url} is not an s3://BUCKET[/PREFIX] location`)
  return {bucket: match[1]!, prefix: match[2] ? `${match[2].replace(/\/+$/, '')}/` : ''}
}

/** Whether a drive given on the command line is a bucket (s3://BUCKET[/PREFIX]) rather than a directory. */
export function isBucketUrl(given: string): boolean {
  return given.startsWith('s3://')
}

/** A bucket drive named on the command line (`drive add POOL NAME s3://...`): checked as the config checks one. */
export function commandLineBucket(url: string, stores: readonly ObjectStoreConfig[], storeName: string | undefined): BucketLocation {
  const {bucket, prefix} = parseBucketUrl(url)
  const store = storeName === undefined && stores.length === 1 ? stores[0] : stores.find((candidate) => candidate.name === storeName)
  if (!store) {
    throw new ShmrError('BAD_ARGUMENT', storeName === undefined ? `say which object store ${url} is in` : `there is no object store named ${storeName} in the config`, {
      hint: stores.length === 0 ? 'add the store to objectStores in the config first' : `--object-store ${stores.map((candidate) => candidate.name).join(' or ')}`,
    })
  }
  const problems = new Problems()
  const parsed = problems.attempt('', () => parseBucketDrive('new', {objectStore: store.name, bucket, ...(prefix ? {prefix} : {})}, stores, '', problems))
  if (!parsed) throw new ShmrError('BAD_ARGUMENT', problems.lines[0]!)
  return parsed.bucket
}

/** Where a bucket drive is, for messages: s3://bucket/prefix at the store's endpoint. Never the credentials. */
export function describeBucket(location: BucketLocation): string {
  return `s3://${location.bucket}/${location.prefix} (${location.store.name}, ${location.store.endpoint})`
}

/** A drive's directory, or where its bucket is: for messages and `--json`. */
export function describeDrive(drive: DriveConfig): string {
  return drive.bucket ? describeBucket(drive.bucket) : drive.dir
}

/** The directory of a drive the caller needs to be a directory drive; BAD_ARGUMENT for a bucket drive. */
export function directoryOf(drive: DriveConfig, purpose: string): string {
  if (drive.bucket) {
    throw new ShmrError('BAD_ARGUMENT', `drive ${drive.name} is a bucket (${describeBucket(drive.bucket)}): ${purpose} works on directory drives only`)
  }
  return drive.dir
}

export function formatObjectStores(stores: readonly ObjectStoreConfig[], formatDir: (dir: string) => string): Record<string, unknown> {
  if (stores.length === 0) return {}
  return {
    objectStores: Object.fromEntries(stores.map((store) => [store.name, {
      endpoint: store.endpoint,
      ...(store.region === DEFAULTS.region ? {} : {region: store.region}),
      ...(store.pathStyle === DEFAULTS.pathStyle ? {} : {pathStyle: store.pathStyle}),
      ...(store.capacityBytes === DEFAULTS.capacityBytes ? {} : {capacity: formatSizeExact(store.capacityBytes)}),
      ...(store.requestTimeoutMs === DEFAULTS.requestTimeoutMs ? {} : {requestTimeout: formatDuration(store.requestTimeoutMs)}),
      ...(store.credentialsFile === undefined ? {} : {credentialsFile: formatDir(store.credentialsFile)}),
    }])),
  }
}

export function formatBucketDrive(location: BucketLocation): Record<string, string> {
  return {objectStore: location.store.name, bucket: location.bucket, ...(location.prefix ? {prefix: location.prefix} : {})}
}
