import type {FuseContext} from '../context.js'
import {serve} from '../serve.js'

export const fsyncdir = (ctx: FuseContext) => serve('fsyncdir', ctx, async () => {
  await ctx.fs.syncNamespace()
})
