import fs from 'node:fs/promises'
import {execa} from 'execa'
import {systemErrorCode} from '../errors.js'
import {ExclusiveLock} from '../meta/exclusiveLock.js'
import {findMount} from './mountTable.js'

/** A mount whose server died without unmounting: every access to it fails with ENOTCONN. */
export interface DeadMount {
  readonly mountpoint: string
  /** The server that had mounted it, as the lock it left names it. */
  readonly pid: number
}

/**
 * The filesystem's own dead mount, if a server of it died without unmounting: the lock it left
 * names a mount point where a `fuse.shmr` mount now answers ENOTCONN. Someone else's dead mount is
 * not ours to clear.
 */
export async function findDeadMount(metadataDir: string): Promise<DeadMount | undefined> {
  const recorded = ExclusiveLock.recorded(metadataDir)
  if (!recorded?.mountpoint || recorded.purpose !== 'mount' || ExclusiveLock.holder(metadataDir)) return undefined
  const mount = await findMount(recorded.mountpoint)
  if (mount?.fsType !== 'fuse.shmr') return undefined
  try {
    await fs.stat(recorded.mountpoint)
    return undefined
  } catch (error) {
    return systemErrorCode(error) === 'ENOTCONN' ? {mountpoint: recorded.mountpoint, pid: recorded.pid} : undefined
  }
}

/**
 * Detaches a dead mount and removes the stale lock. Lazily when a shell still sits inside it: a
 * dead mount has nothing left to write out, so nothing is risked that was not already lost.
 */
export async function clearDeadMount(metadataDir: string, dead: DeadMount): Promise<void> {
  const result = await execa('fusermount3', ['-u', dead.mountpoint], {reject: false})
  if (result.exitCode !== 0) await execa('fusermount3', ['-uz', dead.mountpoint])
  ExclusiveLock.clearStale(metadataDir)
}

/** What a dead mount means to its user, for the line that reports clearing it. */
export function describeDeadMount(dead: DeadMount): string {
  return `cleared the dead mount at ${dead.mountpoint} left by server PID ${dead.pid}, which had stopped without unmounting (what fsync had confirmed is safe; later writes may be lost)`
}
