import type {FoundFile, SetAsideShard} from '../../lib/decode/catalog.js'
import type {DecodeReport} from '../../lib/decode/decodeFile.js'
import type {TreeReport} from '../../lib/decode/decodeTree.js'
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

export function describeTree(report: TreeReport): string {
  const {written} = report
  const lines = [
    `rebuilt ${report.outDir} from metadata snapshot ${report.snapshot.seq} of ${report.snapshot.createdAt} (${report.snapshot.file}):`,
    `  ${written.files} file(s) (${formatSize(written.bytes)}), ${written.hardLinks} more hard link(s), ${written.dirs} director(ies), ${written.symlinks} symlink(s), ${written.other} other`,
  ]
  for (const rejected of report.rejectedSnapshots) lines.push(`  passed over snapshot ${rejected.file}: ${rejected.reason}`)
  if (report.notRebuilt.length > 0) {
    lines.push(`  NOT REBUILT: ${report.notRebuilt.length} path(s):`)
    for (const file of report.notRebuilt.slice(0, 20)) lines.push(`    ${file.path}: ${file.reason}`)
    if (report.notRebuilt.length > 20) lines.push(`    … and ${report.notRebuilt.length - 20} more (--json lists all)`)
  }
  if (report.attributesNotSet.length > 0) {
    lines.push(`  ${report.attributesNotSet.length} attribute(s) not set (owners need root):`)
    for (const entry of report.attributesNotSet.slice(0, 10)) lines.push(`    ${entry.path}: ${entry.what}`)
  }
  return lines.join('\n')
}
