import {askServer, type Unversioned} from './controlClient.js'
import type {ControlRequest} from './protocol.js'

/** How a command follows a task it asked the server for: the bytes in all, then each step's. */
export interface TaskProgress {
  readonly onTotal?: (bytes: number) => void
  readonly onBytes?: (bytes: number) => void
}

/**
 * Asks the server mounting the filesystem to run a drain or a repair (docs/CLI_ABI.md, "Control
 * socket"), following its total and progress events; resolves with the same report the command
 * gives offline.
 */
export async function taskThroughMount<T>(metadataDir: string, request: Unversioned<Extract<ControlRequest, {op: 'drain' | 'repair'}>>,
  progress: TaskProgress): Promise<T> {
  let done = 0
  return await askServer(metadataDir, request, (event) => {
    if (event.event === 'total') progress.onTotal?.(event.totalBytes)
    if (event.event === 'progress') {
      progress.onBytes?.(event.doneBytes - done)
      done = event.doneBytes
    }
  }) as T
}
