import type {LentBytes} from '../fs/fileData.js'
import type {Metrics} from '../metrics/metrics.js'
import {errnoOf} from './errno.js'
import type {FuseCallback} from './fuseNative.js'

export type Log = (line: string) => void

/** Where an operation's outcome is told: the log for failures that are not the caller's, metrics for all. */
export interface Observer {
  readonly log: Log
  readonly metrics?: Metrics
}

/**
 * Wraps one operation's handler: awaits it, replies `cb(0, value)`, and turns any throw into
 * `cb(-errno)`. Errors that are not the caller's (I/O, damaged data, bugs) are logged.
 */
export function serve<Args extends unknown[]>(op: string, observer: Observer, handler: (...args: Args) => unknown): (...args: [...Args, FuseCallback]) => void {
  return (...args) => {
    const callback = args.pop() as FuseCallback
    settle(op, observer, () => handler(...(args as unknown as Args)), (value) => (value === undefined ? callback(0) : callback(0, value)), callback)
  }
}

/**
 * Like `serve`, for read and write, whose reply is the byte count itself. A read may answer with
 * its bytes lent from a buffer of the data path's: the binding copies them into the reply on its
 * FUSE thread, then calls `endLoan` with the buffer.
 */
export function serveCount<Args extends unknown[]>(op: 'write', observer: Observer, handler: (...args: Args) => Promise<number>): (...args: [...Args, FuseCallback]) => void
export function serveCount<Args extends unknown[]>(op: 'read', observer: Observer, handler: (...args: Args) => Promise<number | LentBytes>,
  endLoan: (buffer: Buffer) => void): (...args: [...Args, FuseCallback]) => void
export function serveCount<Args extends unknown[]>(op: 'read' | 'write', observer: Observer, handler: (...args: Args) => Promise<number | LentBytes>,
  endLoan?: (buffer: Buffer) => void): (...args: [...Args, FuseCallback]) => void {
  return (...args) => {
    const callback = args.pop() as FuseCallback
    settle(op, observer, () => handler(...(args as unknown as Args)), (answer) => {
      const bytes = answer as number | LentBytes
      if (typeof bytes === 'number') {
        observer.metrics?.transferred(op, bytes)
        callback(bytes)
      } else {
        observer.metrics?.transferred(op, bytes.count)
        callback(bytes.count, bytes.buffer, bytes.offset, endLoan)
      }
    }, callback)
  }
}

function settle(op: string, observer: Observer, run: () => unknown, reply: (value: unknown) => void, callback: FuseCallback): void {
  const started = observer.metrics ? performance.now() : 0
  const done = (errno?: number): void => observer.metrics?.operation(op, (performance.now() - started) / 1000, errno)
  const fail = (error: unknown): void => {
    const {errno, expected} = errnoOf(error)
    if (!expected) observer.log(`${op}: ${(error as Error)?.stack ?? String(error)}`)
    done(errno)
    callback(-errno)
  }
  const succeed = (value: unknown): void => {
    done()
    reply(value)
  }
  try {
    const result = run()
    if (result instanceof Promise) result.then(succeed, fail)
    else succeed(result)
  } catch (error) {
    fail(error)
  }
}
