import {Args, Flags} from '@oclif/core'
import {rateOf} from '../../cli/migrationFlags.js'
import {withProgress} from '../../cli/progressBar.js'
import {FilesystemCommand} from '../../cli/shmrCommand.js'
import {drainDrive, type DrainReport} from '../../lib/drives/drainDrive.js'
import {formatSize} from '../../lib/format/size.js'

export default class DriveDrain extends FilesystemCommand {
  static override args = {
    name: Args.string({description: 'the drive to empty', required: true}),
  }
  static override description = `Moves every shard on a drive to the other drives of its pool, so that \`shmr drive remove\` can take it out: each block's shards stay on distinct drives, placed by the pool's policy. Everything is checked first: when the other drives are too few for a block's scheme or lack the room, it refuses with one line and changes nothing. Then the drive is marked as draining (no new shard goes there, even after this run), and each block's shards are copied (or rebuilt from the others when unreadable or the drive is gone), fsynced, and its record swapped; the old files are deleted at the end. While the filesystem is mounted, the server does the work (for an archive pool's drive) and keeps serving; a block rewritten through the mount meanwhile is left alone, as it left the drive another way.

Interrupted or killed, nothing is lost: run it again and it goes on where it stopped. --undo clears the draining mark (shards already moved stay where they are).`
  static override enableJsonFlag = true
  static override examples = [
    {description: 'Retire smr1: empty it, then take it out', command: '<%= config.bin %> <%= command.id %> -c /etc/shmr.yaml smr1 && <%= config.bin %> drive remove -c /etc/shmr.yaml smr1'},
    {description: 'Will the other drives hold it?', command: '<%= config.bin %> <%= command.id %> -c /etc/shmr.yaml smr1 --dry-run'},
    {description: 'Gently, at most 60 MB/s', command: '<%= config.bin %> <%= command.id %> -c /etc/shmr.yaml smr1 --rate 60M'},
  ]
  static override flags = {
    'dry-run': Flags.boolean({description: 'check that the other drives can take the shards, and change nothing', default: false}),
    rate: Flags.string({description: 'at most this many bytes per second moved (like 60M)', helpValue: 'SIZE'}),
    undo: Flags.boolean({description: 'clear the draining mark: new shards may go to the drive again', default: false, exclusive: ['rate']}),
  }
  static override summary = 'Move every shard off a drive, to the rest of its pool'

  async run(): Promise<DrainReport> {
    const {args, flags} = await this.parse(DriveDrain)
    const config = this.loadConfig(flags.config, {missingDrivesAllowed: true})
    const report = await withProgress('drive drain', {bar: !this.jsonEnabled() && !flags['dry-run'] && !flags.undo, interrupted: 'nothing is lost: run it again to go on'}, (progress) => drainDrive(config, {
      name: args.name, dryRun: flags['dry-run'], undo: flags.undo, rateBytesPerSecond: rateOf(flags.rate),
      onTotal: (bytes) => progress.start(bytes), onBytes: (bytes) => progress.add(bytes),
    }))
    if (!this.jsonEnabled()) this.log(describeDrain(report, flags.undo))
    return report
  }
}

function describeDrain(report: DrainReport, undo: boolean): string {
  if (undo) return `drive ${report.drive} ${report.dryRun ? 'would take' : 'takes'} new shards again`
  if (report.dryRun) return `drive ${report.drive} holds ${formatSize(report.bytesMoved)} of shards of ${report.blocks} block(s); the other drives of pool ${report.pool} can take them`
  const lines = [`drive ${report.drive}: moved ${report.shardsMoved} shard(s) of ${report.blocks} block(s), ${formatSize(report.bytesMoved)}, in ${report.seconds.toFixed(1)} s${report.shardsRebuilt > 0 ? ` (${report.shardsRebuilt} rebuilt from the others: unreadable on the drive)` : ''}`]
  for (const [drive, bytes] of Object.entries(report.bytesWrittenByDrive)) lines.push(`  to ${drive}: ${formatSize(bytes)}`)
  if (report.stagedDropped > 0) lines.push(`  ${report.stagedDropped} staged block(s) of an unfinished shift dropped: run shmr shift again`)
  lines.push(`drive ${report.drive} is empty and takes no new shards: take it out with shmr drive remove ${report.drive}`)
  return lines.join('\n')
}
