import type {FuseContext} from '../context.js'
import {serve} from '../serve.js'

export const release = (ctx: FuseContext) => serve('release', ctx, async (_path: string, fd: number) => {
  await ctx.fs.data.release(fd)
})
