import {Args, Flags} from '@oclif/core'
import {describeTopologyReport} from '../../cli/render/inspectReport.js'
import {FilesystemCommand} from '../../cli/shmrCommand.js'
import {withReadOnlyFs} from '../../lib/inspect/openReadOnly.js'
import {inspectTopology, type TopologyReport} from '../../lib/inspect/topology.js'

export default class InspectTopology extends FilesystemCommand {
  static override args = {
    target: Args.string({description: 'an inode number, or a path inside the filesystem (/movies/a.mkv) or through the mount point (/mnt/archive/movies/a.mkv)', required: true}),
  }
  static override description = `Shows a file's inode, size and block size, and where each block lives: its length, scheme, every shard's drive, and whether the shard file is there right now (with the size its name promises). Runs of blocks with the same placement are summarised unless --all, which also lists every shard's file name and checksum; holes show as holes. Works with the filesystem mounted (it only reads) or not.`
  static override enableJsonFlag = true
  static override examples = [
    {description: 'Where a film\'s blocks are', command: '<%= config.bin %> <%= command.id %> -c /etc/shmr.yaml /movies/a.mkv'},
    {description: 'Every shard of inode 42, as JSON', command: '<%= config.bin %> <%= command.id %> 42 --json'},
  ]
  static override flags = {
    all: Flags.boolean({description: 'one line per block, with each shard\'s file name and checksum'}),
  }
  static override summary = 'Show where every block of a file lives'

  async run(): Promise<TopologyReport> {
    const {args, flags} = await this.parse(InspectTopology)
    const config = this.loadConfig(flags.config)
    const report = await withReadOnlyFs(config, (fs) => inspectTopology(fs, args.target, config.mountpoint))
    if (!this.jsonEnabled()) this.log(describeTopologyReport(report, args.target, flags.all))
    return report
  }
}
