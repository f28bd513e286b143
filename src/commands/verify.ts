import {Args, Flags} from '@oclif/core'
import {exitCodeOfVerify} from '../cli/exitCodes.js'
import {rateOf} from '../cli/migrationFlags.js'
import {withProgress} from '../cli/progressBar.js'
import {describeVerify} from '../cli/render/verifyReport.js'
import {FilesystemCommand} from '../cli/shmrCommand.js'
import {runVerify, type VerifyReport} from '../lib/verify/runVerify.js'

export default class Verify extends FilesystemCommand {
  static override args = {
    target: Args.string({description: 'files or directories to check (inode numbers, or paths inside the filesystem or through the mount point); default the whole filesystem'}),
  }
  static override description = `Reads every stored block and shard, checks sizes and CRC32C checksums, and reports per file: ok, degraded (readable through parity or another copy) or damaged, with the drives involved. Checking the whole filesystem also checks the metadata store: entries naming missing inodes, wrong link counts, and files on the drives that nothing references (left for gc).

Runs offline, or read-only beside a mounted filesystem. --repair rewrites missing or corrupt shards from the surviving ones (offline, or while mounted inside the server, which keeps serving), on the same drive or, when that drive is gone or full, on another drive of the pool holding no other shard of the block; an empty directory where a drive used to be is taken as its replacement. After a drive dies, mount an empty one at the same path and run verify --repair (mounted or not: a mounted filesystem takes the new disk at once).

Exit status: 0 all ok (or repaired), 8 degraded or inconsistent, 5 damaged.`
  static override enableJsonFlag = true
  static override examples = [
    {description: 'Check everything', command: '<%= config.bin %> <%= command.id %> -c /etc/shmr.yaml'},
    {description: 'A drive died and an empty one is mounted in its place: restore full redundancy', command: '<%= config.bin %> <%= command.id %> -c /etc/shmr.yaml --repair'},
    {description: 'Check one directory, gently', command: '<%= config.bin %> <%= command.id %> /movies --rate 50M'},
  ]
  static override flags = {
    rate: Flags.string({description: 'cap the bytes per second read from the drives (like 50M)', helpValue: 'SIZE'}),
    repair: Flags.boolean({description: 'rewrite missing or corrupt shards from the others (inside the server while mounted)'}),
  }
  static override strict = false
  static override summary = 'Check every block and shard; --repair restores redundancy'

  async run(): Promise<VerifyReport> {
    const {argv, flags} = await this.parse(Verify)
    const config = this.loadConfig(flags.config)
    const report = await withProgress('verify', {bar: !this.jsonEnabled(), interrupted: flags.repair ? 'nothing is lost: shards repaired so far stay repaired; run it again to finish' : 'nothing was changed'}, (progress) => runVerify(config, {
      targets: argv as string[], repair: flags.repair,
      rateBytesPerSecond: rateOf(flags.rate),
      onTotal: (bytes) => progress.start(bytes),
      onBytes: (bytes) => progress.add(bytes),
    }))
    if (!this.jsonEnabled()) this.log(describeVerify(report))
    const exitCode = exitCodeOfVerify(report)
    if (exitCode !== undefined) process.exitCode = exitCode
    return report
  }
}
