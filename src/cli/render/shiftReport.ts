import {describeSnapshotsWritten} from '../../lib/recovery/describeSnapshots.js'
import {formatSize} from '../../lib/format/size.js'
import type {ShiftPlan} from '../../lib/shift/planShift.js'
import type {DestinationSummary, ShiftReport} from '../../lib/shift/runShift.js'
import {renderTable} from './table.js'

/** `pool archive (4+2, 64M blocks)`, with the head kept on the write pool if there is one. */
export function describeDestination(destination: DestinationSummary): string {
  const head = destination.headBytes ? `, first ${formatSize(destination.headBytes)} on the write pool` : ''
  return `pool ${destination.pool} (${destination.scheme}, ${formatSize(destination.blockSizeBytes)} blocks${head})`
}

function destination(report: ShiftReport): string {
  return describeDestination(report.destination)
}

/** A table without headings (renderTable takes its first row as one, so it gets a blank one). */
function table(rows: string[][]): string[] {
  return renderTable([rows[0]!.map(() => ''), ...rows], '  ').slice(1)
}

/** `--dry-run`: which files move, and what each drive receives. */
export function describePlan(report: ShiftReport, verb = 'shift'): string {
  const plan: ShiftPlan = report.plan
  const moving = plan.files.filter((file) => file.action === 'shift')
  const lines = [`Plan: ${verb} ${moving.length} file(s), ${formatSize(plan.bytesToShift)}, to ${destination(report)}; ${plan.files.length - moving.length} already there`]
  if (plan.files.length > 0) {
    lines.push(...table(plan.files.map((file) => [file.label, formatSize(file.sizeBytes), file.action === 'skip' ? 'already there' : `${file.blocksToWrite} block(s) to write`])))
  }
  lines.push('Space needed per drive:')
  lines.push(...table(plan.drives.map((drive) => [drive.name, `${drive.shards} shard(s)`, formatSize(drive.bytes), `free ${formatSize(drive.freeBytes)}`])))
  return lines.join('\n')
}

/** After a run: what moved, what was skipped, and what each drive received. */
export function describeShift(report: ShiftReport, verb = 'Shifted', where = `to ${destination(report)}`): string {
  const written = Object.values(report.bytesWrittenByDrive).reduce((sum, bytes) => sum + bytes, 0)
  const lines = [
    `${verb} ${report.files.shifted} file(s) ${where}; ${report.files.skipped} already there`,
    `  ${report.blocks.written} block(s) written${report.blocks.reused ? `, ${report.blocks.reused} reused from an interrupted run` : ''}; ` +
      `read ${formatSize(report.bytesRead)}, wrote ${formatSize(written)} in ${report.seconds.toFixed(1)}s`,
  ]
  if (report.files.busy > 0) lines.push(`  ${report.files.busy} file(s) in use (open or being written) were left as they are: run it again once they are closed`)
  if (report.strayShardsRemoved > 0) lines.push(`  removed ${report.strayShardsRemoved} shard file(s) an interrupted run had left`)
  const drives = Object.entries(report.bytesWrittenByDrive)
  if (drives.length > 0) lines.push(...table(drives.map(([name, bytes]) => [name, formatSize(bytes)])))
  if (report.metadataSnapshot) lines.push(`  ${describeSnapshotsWritten(report.metadataSnapshot)}`)
  return lines.join('\n')
}
