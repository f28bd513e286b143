import {constants} from 'node:os'
import type {FuseContext} from './context.js'
import {errnoOf} from './errno.js'
import {HANDLERS} from './handlers/index.js'
import type {Request} from './request.js'

/**
 * Runs the handler of each request. A throw is answered with its errno; errors that are not the
 * caller's (I/O, damaged data, bugs) are logged. Metrics count every operation and its time.
 */
export function dispatcher(ctx: FuseContext): (request: Request) => void {
  return (request) => {
    const handler = HANDLERS.get(request.op)
    if (!handler) {
      ctx.session.err(request, constants.errno.ENOSYS)
      ctx.session.release(request)
      return
    }
    const started = ctx.metrics ? performance.now() : 0
    const done = (errno?: number): void => {
      ctx.session.release(request)
      ctx.metrics?.operation(handler.name, (performance.now() - started) / 1000, errno)
    }
    const fail = (error: unknown): void => {
      const {errno, expected} = errnoOf(error)
      // Answers that are the caller's own business (ENOENT and the like) only at debug level.
      if (!expected) ctx.log(`${handler.name}: ${(error as Error)?.stack ?? String(error)}`, 'error')
      else ctx.log(`${handler.name} of inode ${request.ino}: ${(error as Error)?.message ?? String(error)}`, 'debug')
      done(errno)
      ctx.session.err(request, errno)
    }
    try {
      const result = handler.handle(ctx, request)
      if (result instanceof Promise) result.then(() => done(), fail)
      else done()
    } catch (error) {
      fail(error)
    }
  }
}
