import {Flags} from '@oclif/core'
import {FilesystemCommand} from '../cli/shmrCommand.js'
import {loadMetadataDir, resolveConfigPath} from '../lib/config/loadConfig.js'
import {unmountServer} from '../lib/fuse/unmountServer.js'

export interface UmountResult {
  readonly pid: number
  readonly mountpoint?: string
}

export default class Umount extends FilesystemCommand {
  static override description = `Asks the server that mounted the filesystem (found through the lock in the metadata directory) to stop, and waits until it has written out all buffered data, committed, unmounted and exited.`
  static override enableJsonFlag = true
  static override examples = [{description: 'Unmount the demo', command: '<%= config.bin %> <%= command.id %> -c demo/shmr.yaml'}]
  static override flags = {
    timeout: Flags.integer({description: 'seconds to wait for the server to finish', default: 120}),
  }
  static override summary = 'Unmount a mounted filesystem and wait for its server to finish'

  async run(): Promise<UmountResult> {
    const {flags} = await this.parse(Umount)
    // Only the metadata directory: a drive gone missing must not keep the mount from stopping.
    const holder = await unmountServer(loadMetadataDir(resolveConfigPath(flags.config)), flags.timeout * 1000)
    if (!this.jsonEnabled()) this.log(`unmounted ${holder.mountpoint ?? ''} (server PID ${holder.pid} finished)`.replace('  ', ' '))
    return {pid: holder.pid, mountpoint: holder.mountpoint}
  }
}
