import type {ShmrConfig} from '../config/types.js'
import type {Topology} from '../blocks/topology.js'
import {ShmrError} from '../errors.js'
import type {ShmrFs} from '../fs/shmrFs.js'
import {inoOfTarget} from '../fs/targets.js'
import type {MetaStore} from '../meta/metaStore.js'
import {runRewrite} from '../rewrite/runRewrite.js'
import {runShift, type MigrationOptions, type ServerFilesystem, type ShiftReport} from '../shift/runShift.js'
import {runTier} from '../tier/runTier.js'
import type {ControlHandlers, RequestContext} from './controlServer.js'
import type {FlushResult, MigrationPurpose, MigrationRequest, ServerStatus, ServerTask} from './protocol.js'

/** How long a move waits for a file to be let go (closed, written out) before leaving it for the next run. */
const QUIET_WAIT_MS = 30_000
const QUIET_POLL_MS = 100

export interface ServedFilesystem {
  readonly config: ShmrConfig
  readonly core: ShmrFs
  readonly store: MetaStore
  readonly mountpoint: string
  /** Tells the kernel a file's attributes changed behind its back (a move changes st_blocks). */
  readonly invalidate: (ino: number) => void
}

/** What the server does for commands through its control socket. */
export function controlHandlers(served: ServedFilesystem): ControlHandlers {
  const {core, store, mountpoint} = served
  const mountedAt = new Date().toISOString()
  let task: ServerTask | undefined
  return {
    status: async (): Promise<ServerStatus> => ({pid: process.pid, mountpoint, mountedAt, pendingBlocks: core.data.pendingBlocks(), tasks: task ? [task] : []}),
    flush: async ({target}): Promise<FlushResult> => {
      const startedMs = Date.now()
      const ino = target === undefined ? undefined : inoOfTarget(core.namespace, target, mountpoint)
      if (ino !== undefined && store.inodes.getInode(ino).kind === 'file') await core.data.syncFile(ino)
      else {
        // A directory, or everything: what fsync of a directory and unmount wait for, and every buffered block.
        if (ino === undefined) await core.data.flushAll()
        await store.durable()
        await core.reclaimer.settled()
      }
      return {flushed: target ?? 'all', seconds: (Date.now() - startedMs) / 1000}
    },
    migrate: async ({purpose, options}, context): Promise<ShiftReport> => {
      if (task) throw new ShmrError('BUSY', `a ${task.purpose} runs in the server already (since ${task.startedAt})`, {hint: 'shmr status shows it; run this one after it'})
      const started: ServerTask = {purpose, startedAt: new Date().toISOString(), totalBytes: 0, doneBytes: 0}
      task = started
      try {
        return await runInServer(served, purpose, {
          ...options, dryRun: false,
          onPlan: (plan) => {
            task = {...started, totalBytes: plan.bytesToShift}
            context.emit({event: 'plan', plan})
          },
          onProgress: (doneBytes) => {
            task = {...task!, doneBytes}
            context.emit({event: 'progress', doneBytes})
          },
        }, context)
      } finally {
        task = undefined
      }
    },
  }
}

function runInServer(served: ServedFilesystem, purpose: MigrationPurpose, options: MigrationOptions & MigrationRequest, context: RequestContext): Promise<ShiftReport> {
  const {core, store, config} = served
  const server: ServerFilesystem = {
    store, pools: core.pools, blocks: core.blocks, namespace: core.namespace, mountpoint: served.mountpoint, signal: context.signal,
    flushFile: (ino) => core.data.flushFile(ino),
    whenQuiet: (ino, swap) => whenQuiet(served, ino, swap, context.signal),
  }
  switch (purpose) {
    case 'shift': return runShift(config, {...options, scheme: options.scheme as Topology | undefined}, server)
    case 'tier': return runTier(config, options, server)
    case 'rewrite': return runRewrite(config, {...options, blockSizeBytes: options.blockSizeBytes ?? 0}, server)
  }
}

/**
 * Runs a move's swap once the mount holds nothing of the file (see FileData.isQuiet), in the same
 * turn of the event loop as that check: no request is served between them. Its cached blocks go
 * (their bytes are stored), and the kernel is told its attributes changed.
 */
async function whenQuiet(served: ServedFilesystem, ino: number, swap: () => Promise<void>, signal: AbortSignal): Promise<void> {
  const deadline = Date.now() + QUIET_WAIT_MS
  while (!served.core.data.isQuiet(ino)) {
    signal.throwIfAborted()
    if (Date.now() > deadline) throw new ShmrError('BUSY', `file ${ino} stayed in use (open or being written) for ${QUIET_WAIT_MS / 1000} s`)
    await new Promise((resolve) => setTimeout(resolve, QUIET_POLL_MS))
  }
  served.core.data.dropCached(ino)
  const swapped = swap()
  served.invalidate(ino)
  await swapped
}
