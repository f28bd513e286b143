import {Flags} from '@oclif/core'
import {FilesystemCommand} from '../cli/shmrCommand.js'
import {describeFilesystem} from '../cli/render/describeFilesystem.js'
import {loadConfig} from '../lib/config/loadConfig.js'
import {formatSize, parseSize} from '../lib/format/size.js'
import {initDemo} from '../lib/init/demo.js'
import {initFilesystem, type InitReport} from '../lib/init/initFilesystem.js'

export type InitResult = InitReport & {created?: readonly string[]}

export default class Init extends FilesystemCommand {
  static override description = `Creates a new, empty filesystem from a config: writes an identity file into every drive directory and creates the metadata store with its root directory. Every drive directory and the metadata directory must be empty.

With --demo DIR it first lays out a ready demo under DIR (a write pool, an archive pool of six drive directories with 4+2 erasure coding, metadata and mount point directories, and DIR/shmr.yaml) and initialises that.

With --image SIZE the filesystem holds exactly one file, disk.img, of SIZE bytes, reading as zeros: only blocks holding non-zero data are ever stored, so it can be loop-mounted and formatted (mkfs.ext4) and costs only what is written. It cannot be removed, renamed or resized, and nothing else can be created beside it. Its block size is fixed now (--block-size, default the write pool's).`
  static override enableJsonFlag = true
  static override examples = [
    {description: 'Create a filesystem from ./shmr.yaml', command: '<%= config.bin %> <%= command.id %>'},
    {description: 'Create one from another config', command: '<%= config.bin %> <%= command.id %> -c /etc/shmr/archive.yaml'},
    {description: 'Lay out and create a demo filesystem under ./demo', command: '<%= config.bin %> <%= command.id %> --demo ./demo'},
    {description: 'A 4 TiB disk image with 4M blocks, for a loop device', command: '<%= config.bin %> <%= command.id %> -c /etc/shmr.yaml --image 4T --block-size 4M'},
  ]
  static override flags = {
    'block-size': Flags.string({description: 'the disk image\'s block size (with --image; default the write pool\'s)', helpValue: 'SIZE', dependsOn: ['image']}),
    demo: Flags.directory({description: 'lay out a demo filesystem under this directory and initialise it', helpValue: 'DIR'}),
    image: Flags.string({description: 'image mode: the filesystem holds one file, disk.img, of this size (like 512G or 4T)', helpValue: 'SIZE'}),
  }
  static override summary = 'Create a new filesystem (or a ready-made demo)'

  async run(): Promise<InitResult> {
    const {flags} = await this.parse(Init)
    const image = flags.image === undefined ? undefined : {
      sizeBytes: parseSize(flags.image, 'image size'),
      blockSizeBytes: flags['block-size'] === undefined ? undefined : parseSize(flags['block-size'], 'block size'),
    }
    const report: InitResult = flags.demo ? await initDemo(flags.demo, {image}) : await initFilesystem(this.loadConfig(flags.config), {image})
    if (!this.jsonEnabled()) {
      if (report.created) this.log(`Laid out a demo in ${report.created.length} places under ${flags.demo}`)
      this.log(describeFilesystem(report, loadConfig(report.configFile)))
      if (report.image) this.log(`  image       ${report.image.name}, ${formatSize(report.image.sizeBytes)} in ${formatSize(report.image.blockSizeBytes)} blocks`)
      this.log(`\nNext: shmr mount -c ${report.configFile}`)
    }
    return report
  }
}
