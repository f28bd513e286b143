import {describeTopology} from '../../lib/blocks/topology.js'
import type {ShmrConfig} from '../../lib/config/types.js'
import {formatSize} from '../../lib/format/size.js'
import type {InitReport} from '../../lib/init/initFilesystem.js'

/** The lines `init` prints: the filesystem's identity, where everything lives, pools and drives. */
export function describeFilesystem(report: InitReport, config: ShmrConfig): string {
  const lines = [
    `Created filesystem ${report.uuid} (format ${report.formatVersion}, block size ${formatSize(report.blockSizeBytes)})`,
    `  config      ${report.configFile}`,
    `  metadata    ${report.metadataDir}`,
    `  mountpoint  ${report.mountpoint}`,
  ]
  for (const pool of config.pools) {
    lines.push(`  pool ${pool.name} (${pool.role}, ${describeTopology(pool.topology)}, ${formatSize(pool.blockSizeBytes)} blocks, placement ${pool.placement})`)
    const width = Math.max(...pool.drives.map((drive) => drive.name.length))
    for (const drive of pool.drives) lines.push(`    ${drive.name.padEnd(width)}  ${drive.dir}`)
  }
  return lines.join('\n')
}
