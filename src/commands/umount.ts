import {Flags} from '@oclif/core'
import {FilesystemCommand} from '../cli/shmrCommand.js'
import {loadMetadataDir, resolveConfigPath} from '../lib/config/loadConfig.js'
import {describeDeadMount} from '../lib/fuse/deadMount.js'
import {describeHolders} from '../lib/fuse/mountHolders.js'
import {unmountServer, type TaskAtUnmount} from '../lib/fuse/unmountServer.js'
import {formatSize} from '../lib/format/size.js'

export interface UmountResult {
  /** `stopped`: unmounted, the server finished. `detached`: detached lazily, the server stops once the files still open are closed. `cleared`: a dead mount, left by a server that had died, was cleared. */
  readonly outcome: 'stopped' | 'detached' | 'cleared'
  readonly pid: number
  readonly mountpoint?: string
  /** The task that ran in the server when the unmount began: waited for until it finished, or stopped at its next block (--cancel). */
  readonly task?: TaskAtUnmount
}

export default class Umount extends FilesystemCommand {
  static override description = `Unmounts the filesystem mounted by the server named in the lock of the metadata directory, and waits until that server has written out all buffered data, committed and exited.

Like umount(8), refuses while programs use the mount (open files, a shell inside it), naming them, and changes nothing. --lazy detaches the mount anyway: new accesses through the mount point fail at once, the programs already inside keep working, and the server stops once they have closed everything. What it risks: a program that never closes keeps the server running, and is no longer found under the mount point (fuser -m cannot see it).

A task running in the server (a shift, tier, rewrite, drain or repair) is waited for until it finishes, saying so, for at most --timeout seconds (then nothing is unmounted); --cancel stops it at its next block instead (nothing is lost: a rerun goes on from there). SIGTERM to the server (systemd stopping it) stops a task the same way.

When the server has died and left its mount point dead ("Transport endpoint is not connected"), clears it: what fsync had confirmed is safe and the next mount finds it.`
  static override enableJsonFlag = true
  static override examples = [
    {description: 'Unmount the demo', command: '<%= config.bin %> <%= command.id %> -c demo/shmr.yaml'},
    {description: 'Detach it while a program still has files open there; the server stops once they are closed', command: '<%= config.bin %> <%= command.id %> -c demo/shmr.yaml --lazy'},
    {description: 'A shift runs in the server: stop it at its next block and unmount now', command: '<%= config.bin %> <%= command.id %> -c /etc/shmr.yaml --cancel'},
  ]
  static override flags = {
    cancel: Flags.boolean({description: 'stop a task running in the server at its next block, instead of waiting for it to finish'}),
    lazy: Flags.boolean({description: 'detach even while in use; the server stops once the open files are closed'}),
    timeout: Flags.integer({description: 'seconds to wait for a running task, then for the server, to finish', default: 120}),
  }
  static override summary = 'Unmount a mounted filesystem and wait for its server to finish'

  async run(): Promise<UmountResult> {
    const {flags} = await this.parse(Umount)
    // Only the metadata directory: a drive gone missing must not keep the mount from stopping.
    const done = await unmountServer(loadMetadataDir(resolveConfigPath(flags.config)), {
      timeoutMs: flags.timeout * 1000, lazy: flags.lazy, cancelTasks: flags.cancel,
      onTask: (task, action) => {
        if (this.jsonEnabled()) return
        const progress = task.totalBytes > 0 ? `, ${formatSize(task.doneBytes)} of ${formatSize(task.totalBytes)} done` : ''
        this.log(action === 'waiting'
          ? `waiting for the ${task.purpose} running in the server (task ${task.id}${progress}) to finish; shmr umount --cancel stops it at its next block`
          : `stopping the ${task.purpose} running in the server (task ${task.id}${progress}) at its next block; rerun it later to go on`)
      },
    })
    if (done.kind === 'cleared') {
      if (!this.jsonEnabled()) this.log(describeDeadMount(done.dead))
      return {outcome: done.kind, pid: done.dead.pid, mountpoint: done.dead.mountpoint}
    }
    const {pid, mountpoint} = done.holder
    if (!this.jsonEnabled()) {
      this.log(done.kind === 'stopped'
        ? `unmounted ${mountpoint ?? ''} (server PID ${pid} finished)`.replace('  ', ' ')
        : `detached ${mountpoint ?? ''} lazily; server PID ${pid} serves the files still open (by ${describeHolders(done.users)}) and stops once they are closed`.replace('  ', ' '))
    }
    return {outcome: done.kind, pid, mountpoint, ...(done.task ? {task: done.task} : {})}
  }
}
