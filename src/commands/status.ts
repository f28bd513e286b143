import {FilesystemCommand} from '../cli/shmrCommand.js'
import {loadMetadataDir, resolveConfigPath} from '../lib/config/loadConfig.js'
import {serverStatus, type StatusReport} from '../lib/control/serverStatus.js'
import {formatSize} from '../lib/format/size.js'

export default class Status extends FilesystemCommand {
  static override description = `Says whether the filesystem is mounted and, if it is, asks the server (through its control socket) what it holds: since when it serves, and how many blocks written through the mount are not yet stored (\`shmr flush\` writes them out), the shift, tier or rewrite running inside it (with its progress) and the last ones that ended. When an offline command (shift, verify…) holds the filesystem, says which.`
  static override enableJsonFlag = true
  static override examples = [
    {description: 'Is it mounted, and is anything waiting to be written?', command: '<%= config.bin %> <%= command.id %> -c /etc/shmr.yaml'},
    {description: 'The same for a script', command: '<%= config.bin %> <%= command.id %> -c /etc/shmr.yaml --json'},
  ]
  static override summary = 'What the mounted server is doing'

  async run(): Promise<StatusReport> {
    const {flags} = await this.parse(Status)
    const report = await serverStatus(loadMetadataDir(resolveConfigPath(flags.config)))
    if (!this.jsonEnabled()) {
      if (report.mounted) {
        this.log(`mounted at ${report.mountpoint} by PID ${report.pid} since ${report.mountedAt}`)
        this.log(`  ${report.pendingBlocks} block(s) written and not yet stored${report.pendingBlocks > 0 ? ' (shmr flush writes them out)' : ''}`)
        for (const drive of report.degraded?.drives ?? []) this.log(`  DEGRADED: ${drive.problem}`)
        if (report.degraded && report.degraded.unreadableFiles > 0) this.log(`  ${report.degraded.unreadableFiles} file(s) cannot be read until those drives are back`)
        for (const task of report.tasks) {
          const share = task.totalBytes > 0 ? ` ${Math.floor((task.doneBytes / task.totalBytes) * 100)}% of ${formatSize(task.totalBytes)}` : ''
          this.log(`  running: task ${task.id}, ${task.purpose}${task.scheduled ? ' (scheduled)' : ''} since ${task.startedAt}${share}`)
        }
        for (const task of report.finished) {
          this.log(`  ended: task ${task.id}, ${task.purpose}${task.scheduled ? ' (scheduled)' : ''} at ${task.endedAt}: ${task.outcome}${task.filesShifted === undefined ? '' : `, ${task.filesShifted} file(s) moved`}${task.message ? ` (${task.message})` : ''}`)
        }
      } else this.log(report.heldBy ? `not mounted; ${report.heldBy.purpose} (PID ${report.heldBy.pid}) holds it` : 'not mounted')
    }
    return report
  }
}
