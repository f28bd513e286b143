import type {FuseContext} from '../context.js'
import {serve} from '../serve.js'

export const symlink = (ctx: FuseContext) => serve('symlink', ctx, async (target: string, linkPath: string) => {
  const owner = ctx.caller()
  const {parent, name} = ctx.parentAndName(linkPath)
  await ctx.fs.namespace.make(parent, name, 'symlink', 0o777, owner, {target})
})
