import {formatSize} from '../../lib/format/size.js'
import type {RecoverReport} from '../../lib/recovery/runRecover.js'

/** Paths listed in full up to this many; past it, a count and the first ones. */
const LISTED = 20

export function describeRecover(report: RecoverReport): string {
  const {restored, snapshot} = report
  const would = report.dryRun ? 'would restore' : 'restored'
  const lines = [
    `${report.dryRun ? 'Dry run: nothing written. ' : ''}From metadata snapshot ${snapshot.seq} of ${snapshot.createdAt} (${snapshot.file}):`,
    `  ${would} ${restored.files} file(s) (${formatSize(restored.bytes)}), ${restored.dirs} director(ies), ${restored.symlinks} symlink(s), ${restored.other} other`,
  ]
  if (report.blocksFromNewerCopies > 0) lines.push(`  ${report.blocksFromNewerCopies} block(s) from newer copies found on the drives (written after the snapshot)`)
  if (report.lost.length > 0) {
    lines.push(`  LOST: ${report.lost.length} path(s) whose blocks are not on the drives (the write pool's, gone with it?), not restored:`)
    for (const file of report.lost.slice(0, LISTED)) lines.push(`    ${file.path} (${file.missingBlocks} block(s) missing)`)
    if (report.lost.length > LISTED) lines.push(`    … and ${report.lost.length - LISTED} more (--json lists all)`)
  }
  if (report.lostAndFound.length > 0) {
    lines.push(`  ${report.lostAndFound.length} file(s) on the drives the snapshot does not name (written after it), ${report.dryRun ? 'would go' : 'put'} under lost+found:`)
    for (const file of report.lostAndFound.slice(0, LISTED)) lines.push(`    ${file.path} (${formatSize(file.sizeBytes)})`)
    if (report.lostAndFound.length > LISTED) lines.push(`    … and ${report.lostAndFound.length - LISTED} more`)
  }
  for (const rejected of report.rejectedSnapshots) lines.push(`  passed over snapshot ${rejected.file}: ${rejected.reason}`)
  if (report.drivesSetUp.length > 0) lines.push(`  ${report.dryRun ? 'would set up' : 'set up'} drive(s) that had lost their identity: ${report.drivesSetUp.join(', ')}`)
  if (report.drivesMissing.length > 0) lines.push(`  drive(s) missing, not read: ${report.drivesMissing.join(', ')} (mount a replacement there and run \`shmr verify --repair\`)`)
  if (report.storeMovedAside) lines.push(`  the existing store was moved to ${report.storeMovedAside}`)
  if (!report.dryRun) lines.push(`  in ${report.seconds.toFixed(1)} s; next: \`shmr verify\` reads every shard, then mount`)
  return lines.join('\n')
}
