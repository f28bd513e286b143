import type {FuseContext} from '../context.js'
import {serve} from '../serve.js'

export const mkdir = (ctx: FuseContext) => serve('mkdir', ctx, async (path: string, mode: number) => {
  const owner = ctx.caller()
  const {parent, name} = ctx.parentAndName(path)
  await ctx.fs.namespace.make(parent, name, 'dir', mode, owner)
})
