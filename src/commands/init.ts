import {Flags} from '@oclif/core'
import {FilesystemCommand} from '../cli/shmrCommand.js'
import {describeFilesystem} from '../cli/render/describeFilesystem.js'
import {loadConfig} from '../lib/config/loadConfig.js'
import {initDemo} from '../lib/init/demo.js'
import {initFilesystem, type InitReport} from '../lib/init/initFilesystem.js'

export type InitResult = InitReport & {created?: readonly string[]}

export default class Init extends FilesystemCommand {
  static override description = `Creates a new, empty filesystem from a config: writes an identity file into every drive directory and creates the metadata store with its root directory. Every drive directory and the metadata directory must be empty.

With --demo DIR it first lays out a ready demo under DIR (a write pool, an archive pool of six drive directories with 4+2 erasure coding, metadata and mount point directories, and DIR/shmr.yaml) and initialises that.`
  static override enableJsonFlag = true
  static override examples = [
    {description: 'Create a filesystem from ./shmr.yaml', command: '<%= config.bin %> <%= command.id %>'},
    {description: 'Create one from another config', command: '<%= config.bin %> <%= command.id %> -c /etc/shmr/archive.yaml'},
    {description: 'Lay out and create a demo filesystem under ./demo', command: '<%= config.bin %> <%= command.id %> --demo ./demo'},
  ]
  static override flags = {
    demo: Flags.directory({description: 'lay out a demo filesystem under this directory and initialise it', helpValue: 'DIR'}),
  }
  static override summary = 'Create a new filesystem (or a ready-made demo)'

  async run(): Promise<InitResult> {
    const {flags} = await this.parse(Init)
    const report: InitResult = flags.demo ? await initDemo(flags.demo) : await initFilesystem(this.loadConfig(flags.config))
    if (!this.jsonEnabled()) {
      if (report.created) this.log(`Laid out a demo in ${report.created.length} places under ${flags.demo}`)
      this.log(describeFilesystem(report, loadConfig(report.configFile)))
      this.log(`\nNext: shmr mount -c ${report.configFile}`)
    }
    return report
  }
}
