import {ShmrError} from '../errors.js'
import {ExclusiveLock} from '../meta/exclusiveLock.js'
import {askServer} from './controlClient.js'
import type {CancelResult, FlushResult, ServerStatus} from './protocol.js'

export type StatusReport =
  | ({readonly mounted: true} & ServerStatus)
  /** `heldBy`: an offline command (a shift…) has the filesystem. */
  | {readonly mounted: false; readonly heldBy?: {readonly pid: number; readonly purpose: string}}

/** `shmr status`: the mounting server's own account, or who else holds the filesystem. */
export async function serverStatus(metadataDir: string): Promise<StatusReport> {
  const holder = ExclusiveLock.holder(metadataDir)
  if (holder?.purpose !== 'mount') return {mounted: false, ...(holder ? {heldBy: {pid: holder.pid, purpose: holder.purpose}} : {})}
  return {mounted: true, ...(await askServer(metadataDir, {op: 'status'}) as ServerStatus)}
}

export type FlushReport = ({readonly mounted: true} & FlushResult) | {readonly mounted: false}

/**
 * `shmr flush [TARGET]`: the mount writes out what it buffers (everything, or one file's data)
 * and makes it durable. Not mounted, nothing is buffered: every command before returned durable.
 */
export async function flushServer(metadataDir: string, target: string | undefined): Promise<FlushReport> {
  if (!ExclusiveLock.isMounted(metadataDir)) return {mounted: false}
  return {mounted: true, ...(await askServer(metadataDir, {op: 'flush', ...(target === undefined ? {} : {target})}) as FlushResult)}
}

/** `shmr cancel [ID]`: stops the task running in the server at its next block; what it staged stays for a rerun. */
export async function cancelTask(metadataDir: string, id: number | undefined): Promise<CancelResult> {
  if (!ExclusiveLock.isMounted(metadataDir)) throw new ShmrError('NOT_FOUND', 'the filesystem is not mounted: no task runs in a server', {hint: 'an offline shift stops with Ctrl-C'})
  return await askServer(metadataDir, {op: 'cancel', ...(id === undefined ? {} : {id})}) as CancelResult
}
