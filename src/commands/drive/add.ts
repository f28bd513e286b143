import {Args, Flags} from '@oclif/core'
import {FilesystemCommand} from '../../cli/shmrCommand.js'
import {addDrive, type AddedDrive} from '../../lib/drives/addDrive.js'

export default class DriveAdd extends FilesystemCommand {
  static override args = {
    pool: Args.string({description: 'the pool that gets the drive', required: true}),
    name: Args.string({description: 'the new drive\'s name (letters, digits, _ and -)', required: true}),
    dir: Args.string({description: 'the new drive\'s directory (its mount point): existing and empty; or, in an archive pool, s3://BUCKET[/PREFIX] of a store in the config\'s objectStores: empty (created when missing)', required: true}),
  }
  static override flags = {
    'object-store': Flags.string({description: 'which of the config\'s objectStores an s3:// drive is in (needed when it has several)', helpValue: 'STORE'}),
  }
  static override description = `Adds a drive to a pool: gives the empty directory a drive identity, adds the drive to the filesystem and to the config file (its comments and layout kept). New shards use it from then on (while mounted, the server adds it and uses it at once): with the default placement (mostFree) an empty drive takes them first. Existing shards stay where they are. Refuses, changing nothing, a directory that is not empty or is already used, a name already taken or an unknown pool.`
  static override enableJsonFlag = true
  static override examples = [
    {description: 'A new SMR disk mounted at /mnt/smr6 joins the archive pool', command: '<%= config.bin %> <%= command.id %> -c /etc/shmr.yaml archive smr6 /mnt/smr6'},
    {description: 'A bucket of the object store `swift` (in the config) joins the pool cloud', command: '<%= config.bin %> <%= command.id %> -c /etc/shmr.yaml cloud b6 s3://shmr-b6 --object-store swift'},
  ]
  static override summary = 'Add a drive to a pool'

  async run(): Promise<AddedDrive> {
    const {args, flags} = await this.parse(DriveAdd)
    const added = await addDrive(this.loadConfig(flags.config), {pool: args.pool, name: args.name, dir: args.dir,
      ...(flags['object-store'] === undefined ? {} : {objectStore: flags['object-store']})})
    if (!this.jsonEnabled()) this.log(`added drive ${added.name} (${added.dir}) to pool ${added.pool}; the config names it now`)
    return added
  }
}
