import {formatSize} from '../../lib/format/size.js'
import type {BlockRow, TopologyReport} from '../../lib/inspect/topology.js'
import type {Overview} from '../../lib/inspect/overview.js'
import {renderTable} from './table.js'
import {sampleText} from '../../lib/metrics/metricsText.js'

function placement(row: BlockRow): string {
  return row.shards.map((shard) => `${shard.role}:${shard.drive}`).join(' ')
}

function state(row: BlockRow): string {
  const missing = row.shards.filter((shard) => !shard.present).map((shard) => shard.role)
  return missing.length === 0 ? 'all present' : `MISSING ${missing.join(',')}`
}

/** One line per run of blocks with the same length, scheme, placement and state (one per block with `all`). */
export function describeTopologyReport(report: TopologyReport, target: string, all: boolean): string {
  const head = `${target}: inode ${report.ino}, ${report.kind}, ${formatSize(report.sizeBytes)}, block size ${formatSize(report.blockSizeBytes)}, ` +
    `stored ${formatSize(report.storedBytes)} in ${report.blocks.length} block(s)${report.tierRule ? `, placed by tier rule ${report.tierRule}` : ''}`
  type Line = {from: number; to: number; cells: string[]}
  const lines: Line[] = []
  for (const row of report.blocks) {
    const cells = [formatSize(row.lengthBytes), row.topology, placement(row), state(row)]
    const last = lines.at(-1)
    if (!all && last && last.to === row.index - 1 && last.cells.join('|') === cells.join('|')) last.to = row.index
    else lines.push({from: row.index, to: row.index, cells})
    if (all) {
      for (const shard of row.shards) lines.push({from: -1, to: -1, cells: ['', `${shard.role} ${shard.present ? '' : 'MISSING '}crc ${shard.crc32c}`, `${shard.drive}:${shard.file}`, ''] })
    }
  }
  for (const hole of report.holes) lines.push({from: hole.fromIndex, to: hole.toIndex - 1, cells: ['-', 'hole', '', '']})
  lines.sort((a, b) => (a.from === -1 || b.from === -1 ? 0 : a.from - b.from))
  const label = (line: Line): string => (line.from === -1 ? '' : line.from === line.to ? String(line.from) : `${line.from}-${line.to} (${line.to - line.from + 1})`)
  return [head, ...renderTable([['BLOCKS', 'LENGTH', 'SCHEME', 'PLACEMENT', 'STATE'], ...lines.map((line) => [label(line), ...line.cells])], '  ')].join('\n')
}

export function describeOverview(overview: Overview): string {
  const lines = [
    `filesystem ${overview.uuid} (format ${overview.formatVersion}, block size ${formatSize(overview.blockSizeBytes)}, created ${overview.createdAt})`,
    overview.mounted ? `mounted at ${overview.mounted.mountpoint ?? '?'} by PID ${overview.mounted.pid}` : overview.heldBy ? `in use by shmr ${overview.heldBy.purpose} (PID ${overview.heldBy.pid})` : overview.deadMount ? `not mounted: server PID ${overview.deadMount.pid} died and left a dead mount at ${overview.deadMount.mountpoint} (shmr umount clears it)` : 'not mounted',
  ]
  for (const pool of overview.pools) {
    lines.push(`pool ${pool.name} (${pool.role}, ${pool.scheme}, ${formatSize(pool.blockSizeBytes)} blocks): holds ${formatSize(pool.usableBytes)} of data under its scheme, ${formatSize(pool.freeUsableBytes)} free; ${formatSize(pool.beforeADriveFillsBytes)} more before a drive fills${firstToFill(pool.drives)}`)
    lines.push(...renderTable([['DRIVE', 'STATE', 'CAPACITY', 'USED', 'FREE', 'FILES', 'STORED', 'DIRECTORY'],
      ...pool.drives.map((drive) => [drive.name, drive.problem ? 'PROBLEM' : !drive.present ? 'absent' : drive.draining ? 'draining' : 'ok', formatSize(drive.capacityBytes),
        formatSize(drive.usedBytes), formatSize(drive.freeBytes), String(drive.files), formatSize(drive.storedBytes), drive.dir])], '  '))
    for (const drive of pool.drives) if (drive.problem) lines.push(`  ${drive.problem}`)
  }
  lines.push(`${overview.files} file(s) in ${overview.directories} director(ies); ${formatSize(overview.holeBytes)} of holes (not stored)`)
  for (const [scheme, sum] of Object.entries(overview.byTopology)) lines.push(`  ${scheme}: ${sum.files} file(s), ${formatSize(sum.bytes)}`)
  for (const [pool, sum] of Object.entries(overview.byPool)) lines.push(`  on pool ${pool}: ${sum.files} file(s), ${formatSize(sum.bytes)}`)
  lines.push(`tombstones waiting for gc: ${overview.tombstones.files} file(s), ${formatSize(overview.tombstones.bytes)}`)
  if (overview.metrics) {
    const totals = overview.metrics.filter((sample) => /^shmr_(operations|fuse_bytes|drive_(read|written)_bytes|reconstructions|cache_requests)_total$/.test(sample.name))
    lines.push('live figures (from the mount\'s metrics file):', ...totals.map((sample) => `  ${sampleText(sample)}`))
  }
  return lines.join('\n')
}

/** ` (NAME first)`: the drive that fills first, when one does. */
function firstToFill(drives: ReadonlyArray<{name: string; fullAfterBytes?: number}>): string {
  const filling = drives.filter((drive) => drive.fullAfterBytes !== undefined).sort((a, b) => a.fullAfterBytes! - b.fullAfterBytes!)
  return filling.length > 0 ? ` (${filling[0]!.name} first)` : ''
}
