import path from 'node:path'
import YAML from 'yaml'
import {formatSize} from '../format/size.js'
import {DEFAULT_BLOCK_SIZE_BYTES} from '../format/constants.js'
import {DEFAULT_PLACEMENT_POLICY} from '../pools/policies/index.js'
import {defaultPoolBlockSize, formatDir, formatTopology} from './schema.js'
import type {ShmrConfig} from './types.js'

/**
 * Writes a config as YAML that loadConfig reads back to an equal config. Defaults are left out
 * and paths below the config file's directory are written relative to it.
 */
export function formatConfig(config: ShmrConfig, comment?: string): string {
  const baseDir = path.dirname(config.file)
  const document = {
    metadata: formatDir(config.metadataDir, baseDir),
    mountpoint: formatDir(config.mountpoint, baseDir),
    ...(config.blockSizeBytes === DEFAULT_BLOCK_SIZE_BYTES ? {} : {blockSize: formatSize(config.blockSizeBytes)}),
    pools: config.pools.map((pool) => ({
      name: pool.name,
      role: pool.role,
      ...(pool.blockSizeBytes === defaultPoolBlockSize(pool.role, config.blockSizeBytes) ? {} : {blockSize: formatSize(pool.blockSizeBytes)}),
      ...formatTopology(pool.topology),
      ...(pool.placement === DEFAULT_PLACEMENT_POLICY ? {} : {placement: pool.placement}),
      drives: Object.fromEntries(pool.drives.map((drive) => [drive.name, formatDir(drive.dir, baseDir)])),
    })),
  }
  const yaml = YAML.stringify(document, {flowCollectionPadding: false})
  return comment ? `${comment.split('\n').map((line) => `# ${line}`.trimEnd()).join('\n')}\n${yaml}` : yaml
}
