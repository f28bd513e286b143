import type {FuseContext} from '../context.js'
import {serve} from '../serve.js'

// close(2) reports errors of writing the data out, so flush writes a writer's data out rather than release.
export const flush = (ctx: FuseContext) => serve('flush', ctx, async (_path: string, fd: number) => {
  await ctx.fs.data.flushHandle(fd)
})
