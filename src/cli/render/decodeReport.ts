import type {FoundFile, SetAsideShard} from '../../lib/decode/catalog.js'
import type {DecodeReport} from '../../lib/decode/decodeFile.js'
import {formatSize} from '../../lib/format/size.js'
import {renderTable} from './table.js'

export function describeShardFiles(files: readonly FoundFile[]): string {
  const rows = [['FILE ID', 'BLOCKS', 'SIZE', 'BLOCK SIZE', 'TOPOLOGY', 'STATE'],
    ...files.map((file) => [String(file.fileId), String(file.blocks.length), formatSize(file.sizeBytes), formatSize(file.blockSizeBytes),
      file.topologies.join(',') || '-', file.health])]
  return [...renderTable(rows), ...describeSetAside(files.flatMap((file) => file.setAside))].join('\n')
}

/** Shard files whose names were not believed: a line each, the first 20. */
function describeSetAside(setAside: readonly SetAsideShard[]): string[] {
  if (setAside.length === 0) return []
  return [`set aside ${setAside.length} shard file(s) whose names do not hold up:`,
    ...setAside.slice(0, 20).map((shard) => `  ${shard.file}: ${shard.reason}`), ...(setAside.length > 20 ? ['  …'] : [])]
}

export function describeDecode(report: DecodeReport): string {
  const lines = [`decoded file ${report.fileId}: ${formatSize(report.sizeBytes)} in ${report.blocks} block(s)` +
    `${report.holeBytes > 0 ? `, ${formatSize(report.holeBytes)} of holes` : ''}`]
  for (const issue of report.repaired) lines.push(`  block ${issue.block} rebuilt around ${issue.shards.map((s) => `${s.shard} (${s.fault})`).join(', ')}`)
  for (const issue of report.lost) lines.push(`  block ${issue.block} LOST, written as zeros: ${issue.shards.map((s) => `${s.shard} (${s.fault})`).join(', ')}`)
  return [...lines, ...describeSetAside(report.setAside)].join('\n')
}
