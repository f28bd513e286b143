import {Args, Flags} from '@oclif/core'
import {describeFilesReport} from '../../cli/render/filesReport.js'
import {FilesystemCommand} from '../../cli/shmrCommand.js'
import {inspectFiles, type FilesReport} from '../../lib/inspect/files.js'
import {withReadOnlyFs} from '../../lib/inspect/openReadOnly.js'

export default class InspectFiles extends FilesystemCommand {
  static override args = {
    target: Args.string({description: 'a directory or file inside the filesystem (/photos) or through the mount point (/mnt/archive/photos); several may be given (default: /)'}),
  }
  static override description = `Lists every file below the targets with its size, where its data is stored (pool, scheme and bytes of each part), whether it survives the loss of a drive (every block erasure-coded with parity or mirrored), and the tier rule that placed it. Files only on the write pool (the SSD) are the ones to shift or tier.

Reads the metadata store, with the filesystem mounted or not; beside a mount, data not yet written out of the mount's memory is not seen. Through the mount, the same answer for one file is its user.shmr.location extended attribute, as JSON: getfattr -n user.shmr.location --only-values FILE.`
  static override enableJsonFlag = true
  static override examples = [
    {description: 'Where everything is', command: '<%= config.bin %> <%= command.id %> -c /etc/shmr.yaml'},
    {description: 'What would be lost with the SSD', command: '<%= config.bin %> <%= command.id %> -c /etc/shmr.yaml /photos --unprotected'},
    {description: 'The same for a script, through the mount', command: 'getfattr -n user.shmr.location --only-values /mnt/archive/photos/a.jpg'},
  ]
  static override flags = {
    unprotected: Flags.boolean({description: 'list only the files a drive\'s loss would lose (the summary still counts every file)'}),
  }
  static override strict = false
  static override summary = 'Show where each file\'s data is, and whether it survives a drive\'s loss'

  async run(): Promise<FilesReport> {
    const {argv, flags} = await this.parse(InspectFiles)
    const config = this.loadConfig(flags.config)
    const targets = argv.length > 0 ? (argv as string[]) : ['/']
    const report = await withReadOnlyFs(config, async (fs) => inspectFiles(fs, targets, config.mountpoint, {unprotectedOnly: flags.unprotected}))
    if (!this.jsonEnabled()) this.log(describeFilesReport(report))
    return report
  }
}
