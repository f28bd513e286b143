import {Flags} from '@oclif/core'
import {FilesystemCommand} from '../cli/shmrCommand.js'
import {formatSize} from '../lib/format/size.js'
import {describeSnapshotsWritten} from '../lib/recovery/describeSnapshots.js'
import {runBackupMeta, type BackupMetaReport} from '../lib/recovery/runBackupMeta.js'

export default class BackupMeta extends FilesystemCommand {
  static override description = `Writes a snapshot of the metadata store: every name, directory, owner, mode, time, xattr and block map, checksummed. Without -o, to every drive of the filesystem (each keeps its newest three), as every clean unmount and every shift, tier, rewrite and verify --repair already do; \`shmr recover\` and \`shmr decode --tree\` read them. With -o, to one new file anywhere (another disk, another machine), also while the filesystem is mounted (the store as of its last commit); \`shmr recover --from FILE\` reads it.`
  static override enableJsonFlag = true
  static override examples = [
    {description: 'Refresh the snapshots on the drives', command: '<%= config.bin %> <%= command.id %> -c /etc/shmr.yaml'},
    {description: 'Keep a copy off the machine', command: '<%= config.bin %> <%= command.id %> -c /etc/shmr.yaml -o /mnt/usb/shmr-$(date +%F).snapshot'},
  ]
  static override flags = {
    output: Flags.string({char: 'o', description: 'write the snapshot to this new file instead of the drives', helpValue: 'FILE'}),
  }
  static override summary = 'Write a snapshot of the metadata store to the drives or a file'

  async run(): Promise<BackupMetaReport> {
    const {flags} = await this.parse(BackupMeta)
    const config = this.loadConfig(flags.config)
    const report = await runBackupMeta(config, {output: flags.output})
    if (!this.jsonEnabled()) {
      this.log(report.to === 'drives' ? describeSnapshotsWritten(report.snapshot) : `metadata snapshot (${formatSize(report.bytes)}) written to ${report.file}`)
    }
    return report
  }
}
