import {constants} from 'node:fs'
import type {FuseContext} from '../context.js'
import {serve} from '../serve.js'

// fuse-native does not pass create's open flags; a created file is always open for writing.
export const create = (ctx: FuseContext) => serve('create', ctx, async (path: string, mode: number) => {
  const owner = ctx.caller()
  const {parent, name} = ctx.parentAndName(path)
  return (await ctx.fs.createFile(parent, name, mode, constants.O_RDWR, owner)).id
})
