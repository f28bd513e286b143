import path from 'node:path'
import YAML from 'yaml'
import {formatBucketDrive, formatObjectStores} from './objectStores.js'
import {formatSizeExact} from '../format/size.js'
import {DEFAULT_BLOCK_SIZE_BYTES} from '../format/constants.js'
import {DEFAULT_PLACEMENT_POLICY} from '../pools/policies/index.js'
import {formatDuration} from '../format/duration.js'
import {defaultMountConfig, defaultPoolBlockSize, formatDir, formatTopology} from './schema.js'
import {describeTopology} from '../blocks/topology.js'
import type {TierRule} from './tierRules.js'
import type {MountConfig, ShmrConfig} from './types.js'

function formatTierRule(rule: TierRule): Record<string, unknown> {
  const {match, action} = rule
  return {
    name: rule.name,
    match: {
      ...(match.path === undefined ? {} : {path: match.path}),
      ...(match.minSizeBytes === undefined ? {} : {minSize: formatSizeExact(match.minSizeBytes)}),
      ...(match.maxSizeBytes === undefined ? {} : {maxSize: formatSizeExact(match.maxSizeBytes)}),
      ...(match.olderThanMs === undefined ? {} : {olderThan: formatDuration(match.olderThanMs)}),
      ...(match.notAccessedForMs === undefined ? {} : {notAccessedFor: formatDuration(match.notAccessedForMs)}),
      ...(match.xattr === undefined ? {} : {xattr: match.xattr}),
    },
    action: 'keep' in action ? {keep: true} : {
      pool: action.pool,
      ...(action.topology ? {scheme: describeTopology(action.topology)} : {}),
      ...(action.headBytes === undefined ? {} : {head: formatSizeExact(action.headBytes)}),
    },
  }
}

/** Only the mount settings that differ from their defaults. */
function formatMount(mount: MountConfig): {mount?: Record<string, unknown>} {
  const defaults = defaultMountConfig()
  const entries: Array<[string, unknown]> = []
  if (mount.allowOther !== defaults.allowOther) entries.push(['allowOther', mount.allowOther])
  if (mount.defaultPermissions !== defaults.defaultPermissions) entries.push(['defaultPermissions', mount.defaultPermissions])
  if (mount.cacheBytes !== defaults.cacheBytes) entries.push(['cacheSize', formatSizeExact(mount.cacheBytes)])
  if (mount.flushAfterMs !== defaults.flushAfterMs) entries.push(['flushAfter', formatDuration(mount.flushAfterMs)])
  if (mount.requestTimeoutMs !== defaults.requestTimeoutMs) entries.push(['requestTimeout', formatDuration(mount.requestTimeoutMs)])
  if (mount.readAheadBytes !== defaults.readAheadBytes) entries.push(['readAhead', formatSizeExact(mount.readAheadBytes)])
  if (mount.logLevel !== defaults.logLevel) entries.push(['logLevel', mount.logLevel])
  if (mount.refuseUnreadable !== defaults.refuseUnreadable) entries.push(['refuseUnreadable', mount.refuseUnreadable])
  if (mount.busyAboveBytesPerSecond !== defaults.busyAboveBytesPerSecond) entries.push(['busyAbove', formatSizeExact(mount.busyAboveBytesPerSecond)])
  if (mount.tierEveryMs !== undefined) entries.push(['tierEvery', formatDuration(mount.tierEveryMs)])
  if (mount.tierAtFill !== undefined) entries.push(['tierAtFill', `${Math.round(mount.tierAtFill * 10000) / 100}%`])
  return entries.length > 0 ? {mount: Object.fromEntries(entries)} : {}
}

/**
 * Writes a config as YAML that loadConfig reads back to an equal config. Defaults are left out
 * and paths below the config file's directory are written relative to it.
 */
export function formatConfig(config: ShmrConfig, comment?: string): string {
  const baseDir = path.dirname(config.file)
  const document = {
    metadata: formatDir(config.metadataDir, baseDir),
    mountpoint: formatDir(config.mountpoint, baseDir),
    ...(config.blockSizeBytes === DEFAULT_BLOCK_SIZE_BYTES ? {} : {blockSize: formatSizeExact(config.blockSizeBytes)}),
    ...formatObjectStores(config.objectStores, (dir) => formatDir(dir, baseDir)),
    pools: config.pools.map((pool) => ({
      name: pool.name,
      role: pool.role,
      ...(pool.blockSizeBytes === defaultPoolBlockSize(pool.role, config.blockSizeBytes) ? {} : {blockSize: formatSizeExact(pool.blockSizeBytes)}),
      ...formatTopology(pool.topology),
      ...(pool.placement === DEFAULT_PLACEMENT_POLICY ? {} : {placement: pool.placement}),
      ...(pool.rateBytesPerSecond === undefined ? {} : {rate: formatSizeExact(pool.rateBytesPerSecond)}),
      drives: Object.fromEntries(pool.drives.map((drive) => [drive.name, drive.bucket ? formatBucketDrive(drive.bucket) : formatDir(drive.dir, baseDir)])),
    })),
    ...formatMount(config.mount),
    ...(config.tiers.length > 0 ? {tiers: config.tiers.map(formatTierRule)} : {}),
  }
  const yaml = YAML.stringify(document, {flowCollectionPadding: false})
  return comment ? `${comment.split('\n').map((line) => `# ${line}`.trimEnd()).join('\n')}\n${yaml}` : yaml
}
