import type {FuseContext} from '../context.js'
import {serve} from '../serve.js'

export const unlink = (ctx: FuseContext) => serve('unlink', ctx, async (path: string) => {
  const {parent, name} = ctx.parentAndName(path)
  await ctx.fs.namespace.remove(parent, name, 'file')
})
