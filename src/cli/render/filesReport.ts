import {formatSize} from '../../lib/format/size.js'
import type {FileLocation} from '../../lib/inspect/fileLocation.js'
import type {FilesReport} from '../../lib/inspect/files.js'
import {renderTable} from './table.js'

/** `write single 3M, archive 4+2 120M`, or `nothing stored`. */
export function describeLocation(location: FileLocation): string {
  const parts = location.parts.map((part) => `${part.pool} ${part.scheme} ${formatSize(part.bytes)}`)
  if (location.pendingBlocks > 0) parts.push(`${location.pendingBlocks} block(s) not yet written out`)
  return parts.length > 0 ? parts.join(', ') : 'nothing stored'
}

export function describeFilesReport(report: FilesReport): string {
  const {summary} = report
  const rows = report.files.map((file) => [file.path, formatSize(file.sizeBytes), file.protected ? 'yes' : 'NO', describeLocation(file), file.rule ?? '-'])
  return [
    ...(rows.length > 0 ? renderTable([['PATH', 'SIZE', 'PROTECTED', 'WHERE', 'RULE'], ...rows]) : []),
    `${summary.files} file(s), ${formatSize(summary.bytes)}: ${summary.protected.files} (${formatSize(summary.protected.bytes)}) survive a drive's loss, ` +
      `${summary.unprotected.files} (${formatSize(summary.unprotected.bytes)}) do not (on the write pool, or stored without redundancy)`,
  ].join('\n')
}
