import {Args} from '@oclif/core'
import {FilesystemCommand} from '../cli/shmrCommand.js'
import {loadMetadataDir, resolveConfigPath} from '../lib/config/loadConfig.js'
import {cancelTask} from '../lib/control/serverStatus.js'
import type {CancelResult} from '../lib/control/protocol.js'

export default class Cancel extends FilesystemCommand {
  static override args = {
    id: Args.integer({description: 'the task to stop (shmr status lists it); without it, whichever runs', required: false}),
  }
  static override description = `Stops the shift, tier or rewrite running inside the mounted server (started by a command or by mount.tierEvery) at its next block. Nothing is lost: files already moved stay moved, the blocks written for the file under way stay staged, and running the same command again goes on from there. The command that started it, if still waiting, exits saying so.`
  static override enableJsonFlag = true
  static override examples = [
    {description: 'Stop whatever moves data inside the server', command: '<%= config.bin %> <%= command.id %> -c /etc/shmr.yaml'},
    {description: 'Stop task 3 only (no other)', command: '<%= config.bin %> <%= command.id %> -c /etc/shmr.yaml 3'},
  ]
  static override summary = 'Stop the task running inside the mounted server'

  async run(): Promise<CancelResult> {
    const {args, flags} = await this.parse(Cancel)
    const result = await cancelTask(loadMetadataDir(resolveConfigPath(flags.config)), args.id)
    if (!this.jsonEnabled()) this.log(`stopping task ${result.cancelled.id} (${result.cancelled.purpose}) at its next block`)
    return result
  }
}
