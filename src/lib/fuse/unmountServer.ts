import {execa} from 'execa'
import {askServer} from '../control/controlClient.js'
import type {ServerStatus, ServerTask} from '../control/protocol.js'
import {isShmrError, ShmrError, systemErrorCode} from '../errors.js'
import {ExclusiveLock, type LockHolder} from '../meta/exclusiveLock.js'
import {clearDeadMount, type DeadMount, findDeadMount} from './deadMount.js'
import {describeHolders, type MountHolder, mountHolders} from './mountHolders.js'
import {isMounted} from './mountTable.js'

export interface UnmountOptions {
  readonly timeoutMs: number
  /** Detach the mount even while it is in use; the server stops once its files are closed. */
  readonly lazy: boolean
  /** Stop a task running in the server at its next block instead of waiting for it to finish. */
  readonly cancelTasks?: boolean
  /** Told of a task running in the server before anything else is done: waited for, or being stopped. */
  readonly onTask?: (task: ServerTask, action: 'waiting' | 'stopping') => void
}

/** A task that ran in the server when the unmount began: finished while waited for, or stopped. */
export interface TaskAtUnmount {
  readonly id: number
  readonly purpose: string
  readonly outcome: 'finished' | 'stopped'
}

/** What `unmountServer` did. */
export type Unmounted =
  | {readonly kind: 'stopped'; readonly holder: LockHolder; readonly task?: TaskAtUnmount}
  /** Detached lazily while in use: the server serves the open files and stops once they close. */
  | {readonly kind: 'detached'; readonly holder: LockHolder; readonly users: readonly MountHolder[]; readonly task?: TaskAtUnmount}
  /** The server had died, leaving its mount point dead (ENOTCONN); cleared. */
  | {readonly kind: 'cleared'; readonly dead: DeadMount}

/**
 * Unmounts the filesystem whose server holds the mount lock, and waits until that server has
 * written everything out and exited. A task running in the server (a shift, a drain…) is waited
 * for until it finishes, or with `cancelTasks` stopped at its next block (a rerun goes on from
 * there). Like umount(8), refuses while programs use the mount (naming them) unless `lazy`. A
 * dead mount left by a server that died is cleared.
 */
export async function unmountServer(metadataDir: string, options: UnmountOptions): Promise<Unmounted> {
  const holder = ExclusiveLock.holder(metadataDir)
  if (!holder) {
    const dead = await findDeadMount(metadataDir)
    if (!dead) throw new ShmrError('NOT_FOUND', 'the filesystem is not mounted')
    await clearDeadMount(metadataDir, dead)
    return {kind: 'cleared', dead}
  }
  if (holder.purpose !== 'mount') throw new ShmrError('NOT_FOUND', `the filesystem is not mounted (shmr ${holder.purpose} holds it, PID ${holder.pid})`)
  const task = await settleTask(metadataDir, options)
  const users = holder.mountpoint ? await detach(holder.mountpoint, options.lazy) : []
  try {
    process.kill(holder.pid, 'SIGTERM')
  } catch (error) {
    if (systemErrorCode(error) === 'EPERM') {
      throw new ShmrError('PERMISSION_DENIED', `the server (PID ${holder.pid}) belongs to another user`, {hint: 'run shmr umount as that user or as root'})
    }
    if (systemErrorCode(error) !== 'ESRCH') throw error
  }
  if (users.length > 0) return {kind: 'detached', holder, users, ...(task ? {task} : {})}
  const deadline = Date.now() + options.timeoutMs
  while (ExclusiveLock.holder(metadataDir)?.pid === holder.pid) {
    if (Date.now() > deadline) {
      throw new ShmrError('LOCKED', `the server (PID ${holder.pid}) is still writing out data after ${Math.round(options.timeoutMs / 1000)}s`, {hint: 'wait and run shmr umount again'})
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  return {kind: 'stopped', holder, ...(task ? {task} : {})}
}

const TASK_POLL_MS = 200

/**
 * Before the unmount: the task running in the server, if any, waited for until it finishes (at
 * most `timeoutMs`: then LOCKED, nothing unmounted), or stopped at its next block. A server
 * whose control socket does not answer has no task to wait for: SIGTERM stops whatever runs.
 */
async function settleTask(metadataDir: string, options: UnmountOptions): Promise<TaskAtUnmount | undefined> {
  const running = async (): Promise<ServerTask | undefined> => {
    try {
      return ((await askServer(metadataDir, {op: 'status'})) as ServerStatus).tasks[0]
    } catch (error) {
      if (isShmrError(error, 'UNAVAILABLE')) return undefined
      throw error
    }
  }
  const task = await running()
  if (!task) return undefined
  const about = {id: task.id, purpose: task.purpose}
  if (options.cancelTasks) {
    options.onTask?.(task, 'stopping')
    try {
      await askServer(metadataDir, {op: 'cancel', id: task.id})
    } catch (error) {
      if (!isShmrError(error, 'NOT_FOUND')) throw error // it ended meanwhile
      return {...about, outcome: 'finished'}
    }
    const deadline = Date.now() + options.timeoutMs
    while ((await running())?.id === task.id && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, TASK_POLL_MS))
    return {...about, outcome: 'stopped'}
  }
  options.onTask?.(task, 'waiting')
  const deadline = Date.now() + options.timeoutMs
  for (let now = await running(); now?.id === task.id; now = await running()) {
    if (Date.now() > deadline) {
      throw new ShmrError('LOCKED', `the ${task.purpose} running in the server (task ${task.id}) has not finished after ${Math.round(options.timeoutMs / 1000)}s; nothing was unmounted`, {
        hint: 'wait longer (--timeout), or stop it at its next block with shmr umount --cancel (a rerun goes on from there)',
      })
    }
    await new Promise((resolve) => setTimeout(resolve, TASK_POLL_MS))
  }
  return {...about, outcome: 'finished'}
}

/**
 * Unmounts here rather than in the server, so that the kernel's own refusal of a busy mount is
 * what decides, with nothing detached meanwhile. Returns who was using a mount detached lazily.
 * Where fusermount cannot unmount for another reason (another user's mount), the server does.
 */
async function detach(mountpoint: string, lazy: boolean): Promise<MountHolder[]> {
  if (!await isMounted(mountpoint)) return []
  const users = await mountHolders(mountpoint)
  if (lazy) {
    await execa('fusermount3', ['-uz', mountpoint], {reject: false})
    return users
  }
  const result = await execa('fusermount3', ['-u', mountpoint], {reject: false})
  if (result.exitCode !== 0 && /busy/i.test(String(result.stderr))) {
    throw new ShmrError('BUSY', `the mount at ${mountpoint} is in use${users.length > 0 ? ` by ${describeHolders(users)}` : ''}`, {
      hint: 'close those files or leave the directory and unmount again; or shmr umount --lazy, which detaches it now and stops the server once they are closed',
    })
  }
  return []
}
