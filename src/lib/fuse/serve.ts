import {errnoOf} from './errno.js'
import type {FuseCallback} from './fuseNative.js'

export type Log = (line: string) => void

/**
 * Wraps one operation's handler: awaits it, replies `cb(0, value)`, and turns any throw into
 * `cb(-errno)`. Errors that are not the caller's (I/O, damaged data, bugs) are logged.
 */
export function serve<Args extends unknown[]>(op: string, log: Log, handler: (...args: Args) => unknown): (...args: [...Args, FuseCallback]) => void {
  return (...args) => {
    const callback = args.pop() as FuseCallback
    settle(op, log, () => handler(...(args as unknown as Args)), (value) => (value === undefined ? callback(0) : callback(0, value)), callback)
  }
}

/** Like `serve`, for read and write, whose reply is the byte count itself. */
export function serveCount<Args extends unknown[]>(op: string, log: Log, handler: (...args: Args) => Promise<number>): (...args: [...Args, FuseCallback]) => void {
  return (...args) => {
    const callback = args.pop() as FuseCallback
    settle(op, log, () => handler(...(args as unknown as Args)), (count) => callback(count as number), callback)
  }
}

function settle(op: string, log: Log, run: () => unknown, reply: (value: unknown) => void, callback: FuseCallback): void {
  const fail = (error: unknown): void => {
    const {errno, expected} = errnoOf(error)
    if (!expected) log(`${op}: ${(error as Error)?.stack ?? String(error)}`)
    callback(-errno)
  }
  try {
    const result = run()
    if (result instanceof Promise) result.then(reply, fail)
    else reply(result)
  } catch (error) {
    fail(error)
  }
}
