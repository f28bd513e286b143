import {Args} from '@oclif/core'
import {FilesystemCommand} from '../cli/shmrCommand.js'
import {loadMetadataDir, resolveConfigPath} from '../lib/config/loadConfig.js'
import {flushServer, type FlushReport} from '../lib/control/serverStatus.js'

export default class Flush extends FilesystemCommand {
  static override args = {
    target: Args.string({description: 'one file (a path inside the filesystem, through the mount point, or an inode number); a directory makes its entries durable', required: false}),
  }
  static override description = `Asks the mounted server to write out what it buffers and make it durable, as an fsync of every file would: the blocks written through the mount and not yet stored, their sizes and times, and every namespace change so far; the block files of what was removed or overwritten are deleted. With TARGET, only that file's data (or, for a directory, the namespace). \`sync(1)\` does not reach a FUSE server (libfuse 3.14); this does. Not mounted, there is nothing to write: every offline command leaves its work durable.`
  static override enableJsonFlag = true
  static override examples = [
    {description: 'Make everything written so far durable, before a power cut is risked', command: '<%= config.bin %> <%= command.id %> -c /etc/shmr.yaml'},
    {description: 'Only one file', command: '<%= config.bin %> <%= command.id %> -c /etc/shmr.yaml /movies/a.mkv'},
  ]
  static override summary = 'Write out and make durable what the mount buffers'

  async run(): Promise<FlushReport> {
    const {args, flags} = await this.parse(Flush)
    const report = await flushServer(loadMetadataDir(resolveConfigPath(flags.config)), args.target)
    if (!this.jsonEnabled()) {
      this.log(report.mounted ? `flushed ${report.flushed === 'all' ? 'everything' : report.flushed} in ${report.seconds.toFixed(2)} s` : 'not mounted: nothing is buffered')
    }
    return report
  }
}
