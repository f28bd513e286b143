import {Args, Flags} from '@oclif/core'
import {jobsOf, migrationFlags, migrationWork, rateOf, recursiveFlag} from '../cli/migrationFlags.js'
import {withProgress} from '../cli/progressBar.js'
import {describePlan, describeShift} from '../cli/render/shiftReport.js'
import {FilesystemCommand} from '../cli/shmrCommand.js'
import {parseScheme} from '../lib/blocks/topology.js'
import {runShift, type ShiftReport} from '../lib/shift/runShift.js'

export default class Shift extends FilesystemCommand {
  static override args = {
    target: Args.string({description: 'a file (inode number, or path inside the filesystem like /movies/a.mkv, or the same through the mount point: /mnt/archive/movies/a.mkv); several may be given', required: true}),
  }
  static override description = `Moves every block of the given files to another pool, by default the first archive pool, erasure-coded with its scheme and cut to its block size (archives default to 64M blocks: 16M sequential shard files at 4+2). Offline, shift holds the filesystem meanwhile, so a mount waits for it to finish. While the filesystem is mounted, the command asks the server to do it (through its control socket): the same flags, report and progress; the server writes each file's buffered data out first, and swaps its blocks only once nothing has it open (it waits up to 30 s, then leaves the file for the next run and says so); a file written to meanwhile is redone. Ctrl-C or an unmount stops it between blocks; a rerun goes on from there. --dry-run only reads.

New blocks are written, fsynced and recorded (16 at a time) before the file's block map is swapped in one transaction; kill it at any moment and every file still reads back identically, and running the same command again finishes the job without redoing recorded blocks. Before writing anything, shift checks that the destination drives have room for the whole job. Holes stay holes; files already in the destination are skipped.`
  static override enableJsonFlag = true
  static override examples = [
    {description: 'Move a film to the archive pool', command: '<%= config.bin %> <%= command.id %> -c /etc/shmr.yaml /movies/a.mkv'},
    {description: 'See what moving a whole directory would take', command: '<%= config.bin %> <%= command.id %> -c /etc/shmr.yaml --recursive /movies --dry-run'},
    {description: 'Gently: 80 MB/s at most, a wider scheme, two blocks at a time', command: '<%= config.bin %> <%= command.id %> -r /photos --rate 80M --scheme 8+3 --jobs 2'},
    {description: 'Bring a file back to the write pool', command: '<%= config.bin %> <%= command.id %> /movies/a.mkv --to write'},
  ]
  static override flags = {
    ...migrationFlags,
    ...recursiveFlag,
    scheme: Flags.string({description: 'store with this scheme instead of the pool\'s: DATA+PARITY (4+2), mirror:N, or single', helpValue: 'SCHEME'}),
    to: Flags.string({description: 'the destination pool (default: the first archive pool)', helpValue: 'POOL'}),
  }
  static override strict = false
  static override summary = 'Move files\' blocks to the archive pool, erasure-coded'

  async run(): Promise<ShiftReport> {
    const {argv, flags} = await this.parse(Shift)
    const config = this.loadConfig(flags.config)
    const report = await withProgress('shift', migrationWork(flags['dry-run'], this.jsonEnabled()), (progress) => runShift(config, {
      targets: argv as string[], recursive: flags.recursive, to: flags.to, dryRun: flags['dry-run'], jobs: jobsOf(flags.jobs),
      scheme: flags.scheme === undefined ? undefined : parseScheme(flags.scheme),
      rateBytesPerSecond: rateOf(flags.rate),
      onPlan: (plan) => progress.start(plan.bytesToShift),
      onProgress: (done) => progress.update(done),
    }))
    if (!this.jsonEnabled()) this.log(report.dryRun ? describePlan(report) : describeShift(report))
    return report
  }
}
