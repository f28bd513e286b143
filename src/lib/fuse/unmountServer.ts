import {ShmrError, systemErrorCode} from '../errors.js'
import {ExclusiveLock, type LockHolder} from '../meta/exclusiveLock.js'

/**
 * Sends SIGTERM to the server holding the filesystem's mount lock and waits until it has
 * released the lock, which it does only after writing everything out and unmounting.
 */
export async function unmountServer(metadataDir: string, timeoutMs: number): Promise<LockHolder> {
  const holder = ExclusiveLock.holder(metadataDir)
  if (!holder || holder.purpose !== 'mount') {
    throw new ShmrError('NOT_FOUND', holder ? `the filesystem is not mounted (shmr ${holder.purpose} holds it, PID ${holder.pid})` : 'the filesystem is not mounted')
  }
  try {
    process.kill(holder.pid, 'SIGTERM')
  } catch (error) {
    if (systemErrorCode(error) === 'EPERM') {
      throw new ShmrError('PERMISSION_DENIED', `the server (PID ${holder.pid}) belongs to another user`, {hint: 'run shmr umount as that user or as root'})
    }
    if (systemErrorCode(error) !== 'ESRCH') throw error
  }
  const deadline = Date.now() + timeoutMs
  while (ExclusiveLock.holder(metadataDir)?.pid === holder.pid) {
    if (Date.now() > deadline) {
      throw new ShmrError('LOCKED', `the server (PID ${holder.pid}) is still writing out data after ${Math.round(timeoutMs / 1000)}s`, {hint: 'wait and run shmr umount again'})
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  return holder
}
