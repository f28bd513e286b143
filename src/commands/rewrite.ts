import {Args, Flags} from '@oclif/core'
import {jobsOf, migrationFlags, migrationWork, rateOf, recursiveFlag} from '../cli/migrationFlags.js'
import {withProgress} from '../cli/progressBar.js'
import {describePlan, describeShift} from '../cli/render/shiftReport.js'
import {FilesystemCommand} from '../cli/shmrCommand.js'
import {parseSize} from '../lib/format/size.js'
import {runRewrite} from '../lib/rewrite/runRewrite.js'
import type {ShiftReport} from '../lib/shift/runShift.js'

export default class Rewrite extends FilesystemCommand {
  static override args = {
    target: Args.string({description: 'a file (inode number, or path inside the filesystem or through the mount point); several may be given', required: true}),
  }
  static override description = `Cuts files into blocks of a new size (a power of two from 64K to 256M), keeping each file in its pool with its scheme: archive files are re-encoded with the same erasure scheme. As crash-safe as shift: new blocks are written, synced and staged, each file's block map swaps in one transaction, old files become tombstones and are deleted at the end; a rerun finishes an interrupted job. While the filesystem is mounted, the command asks the server to do it (through its control socket): the same flags, report and progress; the server writes each file's buffered data out first, and swaps its blocks only once nothing has it open (it waits up to 30 s, then leaves the file for the next run and says so); a file written to meanwhile is redone. Ctrl-C or an unmount stops it between blocks; a rerun goes on from there. --dry-run only reads.`
  static override enableJsonFlag = true
  static override examples = [
    {description: 'Larger blocks for a directory of films', command: '<%= config.bin %> <%= command.id %> -c /etc/shmr.yaml --block-size 32M -r /movies'},
    {description: 'Smaller blocks for a file written in small random pieces', command: '<%= config.bin %> <%= command.id %> --block-size 256K /db/data.sqlite --dry-run'},
  ]
  static override flags = {
    'block-size': Flags.string({description: 'the new block size (like 4M)', required: true, helpValue: 'SIZE'}),
    ...migrationFlags,
    ...recursiveFlag,
  }
  static override strict = false
  static override summary = 'Rewrite files with a new block size'

  async run(): Promise<ShiftReport> {
    const {argv, flags} = await this.parse(Rewrite)
    const config = this.loadConfig(flags.config)
    const report = await withProgress('rewrite', migrationWork(flags['dry-run'], this.jsonEnabled()), (progress) => runRewrite(config, {
      targets: argv as string[], recursive: flags.recursive, dryRun: flags['dry-run'], jobs: jobsOf(flags.jobs),
      blockSizeBytes: parseSize(flags['block-size'], 'block size'),
      rateBytesPerSecond: rateOf(flags.rate),
      onPlan: (plan) => progress.start(plan.bytesToShift),
      onProgress: (done) => progress.update(done),
    }))
    if (!this.jsonEnabled()) this.log(report.dryRun ? describePlan(report, 'rewrite') : describeShift(report, 'Rewrote'))
    return report
  }
}
