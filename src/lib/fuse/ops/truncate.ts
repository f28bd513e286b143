import type {FuseContext} from '../context.js'
import {serve} from '../serve.js'

export const truncate = (ctx: FuseContext) => serve('truncate', ctx, async (path: string, size: number) => {
  await ctx.fs.data.truncate(ctx.ino(path), size)
})
