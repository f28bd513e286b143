import type {FuseContext} from '../context.js'
import {serve} from '../serve.js'

export const ftruncate = (ctx: FuseContext) => serve('ftruncate', ctx, async (_path: string, fd: number, size: number) => {
  await ctx.fs.data.truncate(ctx.openIno(fd), size)
})
