import {describeOverview} from '../../cli/render/inspectReport.js'
import {FilesystemCommand} from '../../cli/shmrCommand.js'
import {withReadOnlyFs} from '../../lib/inspect/openReadOnly.js'
import {inspectOverview, type Overview} from '../../lib/inspect/overview.js'

export default class InspectOverview extends FilesystemCommand {
  static override description = `The state of the whole filesystem at a glance: identity and format, whether it is mounted (and by which PID), each pool's drives (directory, capacity, used, free, block files and bytes stored, present with the right identity), files and bytes per scheme and per pool, holes, tombstones waiting for gc, and, while mounted, the live figures from the mount's metrics file. Works mounted or not.`
  static override enableJsonFlag = true
  static override examples = [{description: 'Everything at a glance', command: '<%= config.bin %> <%= command.id %> -c /etc/shmr.yaml'}]
  static override summary = 'Show the state of the whole filesystem'

  async run(): Promise<Overview> {
    const {flags} = await this.parse(InspectOverview)
    const config = this.loadConfig(flags.config)
    const overview = await withReadOnlyFs(config, (fs) => inspectOverview(config, fs))
    if (!this.jsonEnabled()) this.log(describeOverview(overview))
    return overview
  }
}
