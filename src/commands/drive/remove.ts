import {Args} from '@oclif/core'
import {FilesystemCommand} from '../../cli/shmrCommand.js'
import {removeDrive, type RemovedDrive} from '../../lib/drives/removeDrive.js'

export default class DriveRemove extends FilesystemCommand {
  static override args = {
    name: Args.string({description: 'the drive to take out', required: true}),
  }
  static override description = `Takes a drive that holds no block out of the filesystem and the config file (its comments and layout kept), and removes what shmr put on it: its identity, its metadata snapshots, its data directory. Refuses, changing nothing, a drive any block still uses (empty it first with shmr drive drain; to replace a dead one, use shmr drive replace) or one without which its pool has fewer drives than its scheme needs. While mounted, the server does it (not for a write pool's drive, which the mount writes to).`
  static override enableJsonFlag = true
  static override examples = [
    {description: 'Retire smr1: move its shards to the other drives, then take it out', command: '<%= config.bin %> drive drain -c /etc/shmr.yaml smr1 && <%= config.bin %> <%= command.id %> -c /etc/shmr.yaml smr1'},
    {description: 'Take out smr6, added by mistake', command: '<%= config.bin %> <%= command.id %> -c /etc/shmr.yaml smr6'},
  ]
  static override summary = 'Take an empty drive out of its pool'

  async run(): Promise<RemovedDrive> {
    const {args, flags} = await this.parse(DriveRemove)
    const removed = await removeDrive(this.loadConfig(flags.config, {missingDrivesAllowed: true}), args.name)
    if (!this.jsonEnabled()) this.log(`removed drive ${removed.name} (${removed.dir}) from pool ${removed.pool} and the config`)
    return removed
  }
}
