import type {FuseContext} from '../context.js'
import {serve} from '../serve.js'

export const chmod = (ctx: FuseContext) => serve('chmod', ctx, async (path: string, mode: number) => {
  await ctx.fs.setattr(ctx.ino(path), {mode})
})
