import path from 'node:path'
import {Args, Flags} from '@oclif/core'
import {detach, mountFailure, reportToParent} from '../cli/background.js'
import {serverLog} from '../cli/serverLog.js'
import {FilesystemCommand} from '../cli/shmrCommand.js'
import type {Log} from '../lib/log.js'
import {serveFilesystem} from '../lib/fuse/server.js'

export default class Mount extends FilesystemCommand {
  static override args = {
    mountpoint: Args.directory({description: 'where to mount (default: the config\'s mountpoint)'}),
  }
  static override description = `Serves the filesystem over FUSE in the foreground until SIGINT/SIGTERM, \`shmr umount\`, or \`fusermount3 -u MOUNTPOINT\`. Every way of stopping writes out all buffered data and commits the metadata before the process exits.

Like umount(8), a stop is refused while programs hold files or directories in the mount: the server logs which, and keeps serving. A second Ctrl-C (or signal) then detaches the mount lazily and stops: those programs get errors (ENOTCONN) from then on, and what they had not yet written is lost. A mount detached lazily from outside (shmr umount --lazy, umount -l) is served until its last file is closed.

An archive drive that is missing, blank, another filesystem's or at another drive's path is left out: one line each says why, reads rebuild its shards from the other drives, and shmr status shows the pool degraded. With more gone than the scheme's parity, the files that cannot be read are named (reading one answers EIO), or, with mount.refuseUnreadable, the mount is refused. A write pool drive must be there.

mount(8) mounts it too, through the helper the install links as /sbin/mount.fuse.shmr: mount -t fuse.shmr CONFIG MOUNTPOINT, or an /etc/fstab line "CONFIG MOUNTPOINT fuse.shmr defaults,nofail 0 0"; at boot, the systemd unit packaging/systemd/shmr@.service (scripts/install-systemd.sh).

A dead mount left at the mount point by a server of this filesystem that died (kill -9, a crash) is cleared first, saying so.

Refuses when the filesystem is already mounted or in use by another shmr process, when the mount point is not an empty directory, when a drive directory is missing or holds another filesystem's (or another drive's) identity, and when FUSE is not available.

Run as root, it mounts with allow_other and default_permissions (config keys mount.allowOther and mount.defaultPermissions), so other users get exactly the access that modes and owners give them, and what they create belongs to them.`
  static override examples = [
    {description: 'Mount at the config\'s mount point and serve until Ctrl-C', command: '<%= config.bin %> <%= command.id %> -c /etc/shmr.yaml'},
    {description: 'Mount elsewhere, in the background', command: '<%= config.bin %> <%= command.id %> -c demo/shmr.yaml /mnt/archive --background'},
  ]
  static override flags = {
    background: Flags.boolean({description: 'detach once the mount is ready and print the server\'s PID (log: METADATA/mount.log, or the journal under systemd)'}),
  }
  static override summary = 'Mount the filesystem (FUSE)'

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Mount)
    // A dead archive drive's directory may be gone: the mount serves degraded (a write pool drive's is refused).
    const config = this.loadConfig(flags.config, {missingDrivesAllowed: true})
    if (flags.background) {
      const logFile = path.join(config.metadataDir, 'mount.log')
      const {pid, notes, logTo} = await detach(['mount', '-c', config.file, ...(args.mountpoint ? [args.mountpoint] : [])], logFile)
      for (const note of notes) this.log(note)
      this.log(`mounted at ${path.resolve(args.mountpoint ?? config.mountpoint)} by PID ${pid} (log: ${logTo})`)
      return
    }
    const serverLogLine = serverLog(config.mount.logLevel)
    // What the server says while mounting (a dead mount cleared, files reclaimed) is also told
    // to whoever started it in the background.
    const notes: string[] = []
    let mounted = false
    const log: Log = (line, level) => {
      if (!mounted) notes.push(line)
      serverLogLine(line, level)
    }
    // Whatever ends the server before it is ready is told to a parent waiting in the background:
    // a crash too (an uncaught exception, an unhandled rejection), which no catch here sees.
    process.on('uncaughtExceptionMonitor', (error) => {
      if (!mounted) reportToParent({error: mountFailure(error)})
    })
    let server
    try {
      server = await serveFilesystem(config, {mountpoint: args.mountpoint, log})
    } catch (error) {
      reportToParent({error: mountFailure(error)})
      throw error
    }
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void server.stop(signal))
    mounted = true
    log(`mounted at ${server.mountpoint} (PID ${process.pid}); Ctrl-C, shmr umount or fusermount3 -u unmounts`)
    reportToParent({ready: true, notes})
    await server.stopped
    // A mount forced off lazily keeps its FUSE session open while files are open there.
    process.exit(0)
  }
}
