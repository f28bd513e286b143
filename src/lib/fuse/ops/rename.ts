import type {FuseContext} from '../context.js'
import {serve} from '../serve.js'

export const rename = (ctx: FuseContext) => serve('rename', ctx, async (from: string, to: string) => {
  const source = ctx.parentAndName(from)
  const target = ctx.parentAndName(to)
  await ctx.fs.namespace.rename(source.parent, source.name, target.parent, target.name)
})
