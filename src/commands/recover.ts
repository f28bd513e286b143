import {Flags} from '@oclif/core'
import {describeRecover} from '../cli/render/recoverReport.js'
import {FilesystemCommand} from '../cli/shmrCommand.js'
import {runRecover, type RecoverReport} from '../lib/recovery/runRecover.js'

export default class Recover extends FilesystemCommand {
  static override description = `Rebuilds the metadata store from the drives alone, after the metadata disk (and with it, often, the write pool) is lost. Every drive keeps snapshots of the store, written by every clean unmount and by shift, tier, rewrite and verify --repair: recover takes the newest one that passes its checksums, restores every file, directory, symlink and special file under its path with its owner, mode, times and xattrs, and checks that each file's blocks are on the drives.

A file whose blocks are not all there (its data lived only on a lost write pool, or was written after the snapshot) is listed as lost and left out; a block whose files are gone but whose newer complete copy is on the drives (a mount wrote it after the snapshot) is taken from that copy; files on the drives the snapshot does not name are put under /lost+found, named by their id. A write pool drive recreated empty gets its identity back.

Recover refuses an existing metadata store (--force moves it aside, never deletes it) and drives of another filesystem; it never writes to a shard file. Run \`shmr verify\` afterwards: it reads every shard against its checksum.`
  static override enableJsonFlag = true
  static override examples = [
    {description: 'See what would be restored', command: '<%= config.bin %> <%= command.id %> -c /etc/shmr.yaml --dry-run'},
    {description: 'Rebuild the metadata store, then check every shard', command: '<%= config.bin %> <%= command.id %> -c /etc/shmr.yaml && <%= config.bin %> verify -c /etc/shmr.yaml'},
    {description: 'Recover from a snapshot written by backup-meta', command: '<%= config.bin %> <%= command.id %> -c /etc/shmr.yaml --from /backup/shmr-meta.snapshot'},
  ]
  static override flags = {
    'dry-run': Flags.boolean({description: 'print what would be restored and lost; write nothing', default: false}),
    force: Flags.boolean({description: 'move an existing metadata store aside (shmr.mdb.before-recover-<time>) instead of refusing', default: false}),
    from: Flags.string({description: 'recover from this snapshot file (written by `shmr backup-meta -o`) instead of the drives\' newest', helpValue: 'FILE'}),
  }
  static override summary = 'Rebuild the metadata store from the snapshots on the drives'

  async run(): Promise<RecoverReport> {
    const {flags} = await this.parse(Recover)
    const config = this.loadConfig(flags.config, {missingDirsAllowed: true})
    const report = await runRecover(config, {dryRun: flags['dry-run'], force: flags.force, from: flags.from})
    if (!this.jsonEnabled()) this.log(describeRecover(report))
    return report
  }
}
