import {Flags} from '@oclif/core'
import {FilesystemCommand} from '../cli/shmrCommand.js'
import {formatDuration, parseDuration} from '../lib/format/duration.js'
import {formatSize} from '../lib/format/size.js'
import {runGc, type GcReport} from '../lib/gc/runGc.js'

export default class Gc extends FilesystemCommand {
  static override description = `Deletes block and shard files that nothing needs any more: those the metadata marked as tombstones when it stopped pointing at them, and those no record points at (left behind by a crash between writing a block and committing it). Only files older than the grace period go, so nothing a writer is about to commit is raced; a referenced file is never touched. Blocks an interrupted shift or rewrite staged that no rerun can use any more (their file deleted, or changed since) are dropped, their files becoming tombstones. While mounted, the server does it (through its control socket), and keeps the unreferenced files, listing them: the mount may be about to commit files it just wrote. --dry-run only reads.`
  static override enableJsonFlag = true
  static override examples = [
    {description: 'Collect garbage older than an hour', command: '<%= config.bin %> <%= command.id %> -c /etc/shmr.yaml'},
    {description: 'See what would go, at any age', command: '<%= config.bin %> <%= command.id %> --grace 0 --dry-run'},
  ]
  static override flags = {
    'dry-run': Flags.boolean({description: 'list and sum what would be deleted, delete nothing', default: false}),
    grace: Flags.string({description: 'only files older than this (like 30m, 1h, 2d)', default: '1h', helpValue: 'DURATION'}),
  }
  static override summary = 'Delete tombstoned and unreferenced block files'

  async run(): Promise<GcReport> {
    const {flags} = await this.parse(Gc)
    const config = this.loadConfig(flags.config)
    const report = await runGc(config, {graceMs: parseDuration(flags.grace, 'grace'), dryRun: flags['dry-run']})
    if (!this.jsonEnabled()) {
      const verb = report.dryRun ? 'would delete' : 'deleted'
      this.log(`${verb} ${report.tombstones.files} tombstoned file(s), ${formatSize(report.tombstones.bytes)}, and ` +
        `${report.unreferenced.files} unreferenced file(s), ${formatSize(report.unreferenced.bytes)} (older than ${formatDuration(report.graceMs)})`)
      for (const file of report.unreferenced.paths.slice(0, 20)) this.log(`  ${file}`)
      if (report.keptYoung > 0) this.log(`  kept ${report.keptYoung} unreferenced file(s) younger than the grace period`)
      if (report.keptMounted > 0) this.log(`  kept the ${report.keptMounted} unreferenced file(s): mounted, the server may be about to commit them (gc them unmounted)`)
      if (report.stagedOfMissingFiles > 0) this.log(`  ${report.dryRun ? 'would drop' : 'dropped'} the staged blocks of ${report.stagedOfMissingFiles} deleted file(s)`)
      if (report.staleStagedBlocks > 0) this.log(`  ${report.dryRun ? 'would drop' : 'dropped'} ${report.staleStagedBlocks} block(s) staged by interrupted moves that no rerun can reuse (the files changed since)`)
    }
    return report
  }
}
