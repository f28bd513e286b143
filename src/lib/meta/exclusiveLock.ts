import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {ShmrError, systemErrorCode} from '../errors.js'
import {PRIVATE_FILE_MODE} from '../format/constants.js'

export const LOCK_FILE = 'shmr.lock'

/** Who holds a filesystem: written into the lock file in the metadata directory. */
export interface LockHolder {
  readonly pid: number
  readonly hostname: string
  /** What the holder is doing: `mount`, `shift`… */
  readonly purpose: string
  readonly mountpoint?: string
  readonly sinceMs: number
}

/**
 * One process at a time may open a filesystem for writing (a mount, a shift…). The lock is a
 * file created with O_EXCL; a lock left by a process that no longer runs on this host is stale
 * and taken over.
 */
export class ExclusiveLock {
  private constructor(readonly file: string, readonly holder: LockHolder) {}

  static acquire(metadataDir: string, purpose: string, mountpoint?: string): ExclusiveLock {
    const file = path.join(metadataDir, LOCK_FILE)
    const holder: LockHolder = {pid: process.pid, hostname: os.hostname(), purpose, mountpoint, sinceMs: Date.now()}
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        fs.writeFileSync(file, `${JSON.stringify(holder)}\n`, {flag: 'wx', mode: PRIVATE_FILE_MODE})
        return new ExclusiveLock(file, holder)
      } catch (error) {
        if (systemErrorCode(error) !== 'EEXIST') throw error
      }
      const current = ExclusiveLock.holder(metadataDir)
      if (current && isAlive(current)) throw lockedError(current, metadataDir)
      fs.rmSync(file, {force: true})
    }
    throw new ShmrError('LOCKED', `cannot take the lock ${file}: another process keeps creating it`)
  }

  /** The live holder of the filesystem's lock, or undefined when it is free (or stale). */
  static holder(metadataDir: string): LockHolder | undefined {
    const holder = ExclusiveLock.recorded(metadataDir)
    return holder && isAlive(holder) ? holder : undefined
  }

  /** Whether a running server mounts the filesystem (commands then ask it, through its control socket). */
  static isMounted(metadataDir: string): boolean {
    return ExclusiveLock.holder(metadataDir)?.purpose === 'mount'
  }

  /** Whoever the lock file names, alive or not: a server that died left its mount point there. */
  static recorded(metadataDir: string): LockHolder | undefined {
    try {
      return JSON.parse(fs.readFileSync(path.join(metadataDir, LOCK_FILE), 'utf8')) as LockHolder
    } catch {
      return undefined
    }
  }

  /** Removes a lock whose holder no longer runs; a live one stays. */
  static clearStale(metadataDir: string): void {
    const holder = ExclusiveLock.recorded(metadataDir)
    if (holder && !isAlive(holder)) fs.rmSync(path.join(metadataDir, LOCK_FILE), {force: true})
  }


  release(): void {
    try {
      const current = JSON.parse(fs.readFileSync(this.file, 'utf8')) as LockHolder
      if (current.pid === this.holder.pid && current.sinceMs === this.holder.sinceMs) fs.rmSync(this.file, {force: true})
    } catch {
      // Already gone: nothing to release.
    }
  }
}

function isAlive(holder: LockHolder): boolean {
  if (holder.hostname !== os.hostname()) return true // Cannot tell for another host: assume it runs.
  try {
    process.kill(holder.pid, 0)
  } catch (error) {
    return systemErrorCode(error) === 'EPERM'
  }
  // A killed server nobody has reaped yet is a zombie: it exists, but holds nothing any more.
  try {
    const stat = fs.readFileSync(`/proc/${holder.pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z'
  } catch {
    return true
  }
}

function lockedError(holder: LockHolder, metadataDir: string): ShmrError {
  const what = holder.purpose === 'mount' ? `mounted${holder.mountpoint ? ` at ${holder.mountpoint}` : ''}` : `in use by shmr ${holder.purpose}`
  return new ShmrError('LOCKED', `the filesystem in ${metadataDir} is ${what} (PID ${holder.pid} on ${holder.hostname})`, {
    hint: holder.purpose === 'mount'
      ? `unmount it first: shmr umount -c CONFIG${holder.mountpoint ? `, or fusermount3 -u ${holder.mountpoint}` : ''}`
      : `wait for shmr ${holder.purpose} (PID ${holder.pid}) to finish`,
  })
}
