import {Args, Flags} from '@oclif/core'
import {exitCodeOfVerify} from '../../cli/exitCodes.js'
import {withProgress} from '../../cli/progressBar.js'
import {describeVerify} from '../../cli/render/verifyReport.js'
import {rateOf} from '../../cli/migrationFlags.js'
import {FilesystemCommand} from '../../cli/shmrCommand.js'
import {replaceDrive, type ReplacedDrive} from '../../lib/drives/replaceDrive.js'

export default class DriveReplace extends FilesystemCommand {
  static override args = {
    name: Args.string({description: 'the drive to replace (dead, or to be retired)', required: true}),
    dir: Args.string({description: 'the replacement\'s directory (its mount point): existing and empty; or, for an archive pool\'s drive, s3://BUCKET[/PREFIX] of a store in the config\'s objectStores: empty (created when missing)', required: true}),
  }
  static override description = `Replaces a drive by a new, empty one at another path: the config names the new directory for the drive (its comments and layout kept), then a repair of the whole filesystem gives it the drive's identity and rebuilds every shard the drive held from the other shards of its block. The old directory is not touched (nothing is read from it). While mounted, the server serves the drive from the new directory at once and does the repair, serving meanwhile (reads of the drive's shards are rebuilt from the others until then); a write pool drive is replaced unmounted. Interrupted, the config already names the new directory: \`shmr verify --repair\` (or this again) finishes the rebuild.`
  static override enableJsonFlag = true
  static override examples = [
    {description: 'smr2 died; a new disk is mounted at /mnt/smr2b', command: '<%= config.bin %> <%= command.id %> -c /etc/shmr.yaml smr2 /mnt/smr2b'},
    {description: 'Bucket drive b3 is lost; a new bucket of the store swift takes its place', command: '<%= config.bin %> <%= command.id %> -c /etc/shmr.yaml b3 s3://shmr-b3-new --object-store swift'},
  ]
  static override flags = {
    rate: Flags.string({description: 'at most this many bytes per second read from the drives (like 80M)', helpValue: 'BYTES'}),
    'object-store': Flags.string({description: 'which of the config\'s objectStores an s3:// replacement is in (needed when it has several)', helpValue: 'STORE'}),
  }
  static override summary = 'Replace a drive by an empty one at a new path, rebuilding its shards'

  async run(): Promise<ReplacedDrive> {
    const {args, flags} = await this.parse(DriveReplace)
    const config = this.loadConfig(flags.config, {missingDrivesAllowed: true})
    const replaced = await withProgress('drive replace', {bar: !this.jsonEnabled(), interrupted: 'the config names the new directory; run `shmr verify --repair` to finish the rebuild'}, (progress) => replaceDrive(config, {
      name: args.name, dir: args.dir, rateBytesPerSecond: rateOf(flags.rate), ...(flags['object-store'] === undefined ? {} : {objectStore: flags['object-store']}),
      onTotal: (bytes) => progress.start(bytes), onBytes: (bytes) => progress.add(bytes),
    }))
    if (!this.jsonEnabled()) {
      this.log(`drive ${replaced.drive} is now ${replaced.to} (was ${replaced.from})`)
      this.log(describeVerify(replaced.verify))
    }
    const exitCode = exitCodeOfVerify(replaced.verify)
    if (exitCode !== undefined) process.exitCode = exitCode
    return replaced
  }
}
