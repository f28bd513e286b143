import {Flags} from '@oclif/core'
import {jobsOf, migrationFlags, migrationWork, rateOf} from '../cli/migrationFlags.js'
import {withProgress} from '../cli/progressBar.js'
import {describeDestination, describeShift} from '../cli/render/shiftReport.js'
import {FilesystemCommand} from '../cli/shmrCommand.js'
import {formatSize} from '../lib/format/size.js'
import {runTier, type TierReport} from '../lib/tier/runTier.js'

export default class Tier extends FilesystemCommand {
  static override description = `Evaluates the config's tiers rules against every file, in order, first match wins, and moves each file where its rule says: kept on the write pool, or to a pool with a scheme, optionally keeping the first bytes of the file on the write pool (so a player can start while the archive drive spins up). Files no rule matches stay where they are; files already placed as their rule says are skipped, so running it again with nothing changed moves nothing. Offline, with shift's crash safety, progress, --rate and --jobs. A rule can match on a path glob, a size range, time since the last change or read, and the user.shmr.tier extended attribute (setfattr -n user.shmr.tier -v archive FILE pins a file). While the filesystem is mounted, the command asks the server to do it (through its control socket): the same flags, report and progress; the server writes each file's buffered data out first, and swaps its blocks only once nothing has it open (it waits up to 30 s, then leaves the file for the next run and says so); a file written to meanwhile is redone. Ctrl-C or an unmount stops it between blocks; a rerun goes on from there. --dry-run only reads.`
  static override enableJsonFlag = true
  static override examples = [
    {description: 'See what the rules would move', command: '<%= config.bin %> <%= command.id %> -c /etc/shmr.yaml --dry-run'},
    {description: 'Apply them, gently', command: '<%= config.bin %> <%= command.id %> -c /etc/shmr.yaml --rate 80M'},
  ]
  static override flags = {
    ...migrationFlags,
    'dry-run': Flags.boolean({description: 'print, per rule, how many files and bytes would move where; change nothing', default: false}),
  }
  static override summary = 'Move files where the config\'s tiering rules say'

  async run(): Promise<TierReport> {
    const {flags} = await this.parse(Tier)
    const report = await withProgress('tier', migrationWork(flags['dry-run'], this.jsonEnabled()), (progress) => runTier(this.loadConfig(flags.config), {
      dryRun: flags['dry-run'], jobs: jobsOf(flags.jobs),
      rateBytesPerSecond: rateOf(flags.rate),
      onPlan: (plan) => progress.start(plan.bytesToShift),
      onProgress: (done) => progress.update(done),
    }))
    if (!this.jsonEnabled()) {
      for (const [name, rule] of Object.entries(report.rules)) {
        this.log(`rule ${name} → ${describeDestination(rule.destination)}: ${rule.files} file(s), ${formatSize(rule.bytes)}; ` +
          `${report.dryRun ? 'would move' : 'moved'} ${rule.moving} (${formatSize(rule.movingBytes)})`)
      }
      if (!report.dryRun) this.log(describeShift(report, 'Moved', 'where their rules say'))
    }
    return report
  }
}
