import type {FuseContext} from '../context.js'
import {serve} from '../serve.js'

export const link = (ctx: FuseContext) => serve('link', ctx, async (existing: string, newPath: string) => {
  const {parent, name} = ctx.parentAndName(newPath)
  await ctx.fs.namespace.link(ctx.ino(existing), parent, name)
})
