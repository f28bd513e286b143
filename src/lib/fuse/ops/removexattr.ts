import type {FuseContext} from '../context.js'
import {serve} from '../serve.js'

export const removexattr = (ctx: FuseContext) => serve('removexattr', ctx, async (path: string, name: string) => {
  await ctx.fs.removexattr(ctx.ino(path), name)
})
