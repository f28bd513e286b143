import type {FuseContext} from '../context.js'
import {serve} from '../serve.js'

export const setxattr = (ctx: FuseContext) => serve('setxattr', ctx, async (path: string, name: string, value: Buffer, _position: number, flags: number) => {
  ctx.capabilities.beforeStore(name)
  await ctx.fs.setxattr(ctx.ino(path), name, value, flags)
})
