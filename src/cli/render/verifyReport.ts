import {describeSnapshotsWritten} from '../../lib/recovery/describeSnapshots.js'
import {formatSize} from '../../lib/format/size.js'
import type {VerifyReport} from '../../lib/verify/runVerify.js'

export function describeVerify(report: VerifyReport): string {
  const {summary} = report
  const lines = [`verified ${summary.files} file(s) (${formatSize(summary.bytesChecked)} of shards, ${report.mode}): ` +
    `${summary.ok} ok, ${summary.degraded} degraded, ${summary.damaged} damaged` +
    `${summary.shardsRepaired > 0 ? `; ${summary.shardsRepaired} shard(s) repaired` : ''}`]
  if (report.drivesAdopted.length > 0) lines.push(`  set up replacement drive(s): ${report.drivesAdopted.join(', ')}`)
  if (report.metadataSnapshot) lines.push(`  ${describeSnapshotsWritten(report.metadataSnapshot)}`)
  for (const file of report.files) {
    if (file.badShards.length === 0) continue
    const state = file.status === 'ok' ? 'repaired' : file.status
    lines.push(`  ${state.toUpperCase()} ${file.path}: ${file.badShards.map((bad) => `block ${bad.block} shard ${bad.shard} on ${bad.drive} (${bad.fault})`).join('; ')}`)
  }
  const metadata = report.metadata
  if (metadata) {
    for (const entry of metadata.danglingEntries) lines.push(`  entry ${entry.path} names missing inode ${entry.ino}`)
    if (metadata.unreachableInodes.length > 0) {
      lines.push(`  ${metadata.unreachableInodes.length} inode(s) no directory entry reaches (a damaged entry hides them): ${metadata.unreachableInodes.slice(0, 10).join(', ')}`)
    }
    for (const link of metadata.wrongLinkCounts) lines.push(`  inode ${link.ino} has link count ${link.stored}, ${link.counted} entries name it`)
    if (metadata.stagedOfMissingFiles.length > 0) {
      lines.push(`  ${metadata.stagedOfMissingFiles.length} deleted file(s) still have blocks staged by an interrupted shift or rewrite (gc drops them): inode ${metadata.stagedOfMissingFiles.slice(0, 5).join(', ')}`)
    }
    if (metadata.unreferencedFiles.count > 0) {
      lines.push(`  ${metadata.unreferencedFiles.count} file(s), ${formatSize(metadata.unreferencedFiles.bytes)}, on the drives are referenced by nothing (gc removes them), e.g. ${metadata.unreferencedFiles.examples.join(', ')}`)
    }
  }
  return lines.join('\n')
}
