import {constants} from 'node:fs'
import {ShmrError} from '../../errors.js'
import type {FuseContext} from '../context.js'
import {serve} from '../serve.js'

// FIFOs and regular files only: device nodes and sockets have no meaning on an archive.
export const mknod = (ctx: FuseContext) => serve('mknod', ctx, async (path: string, mode: number, _dev: number) => {
  const owner = ctx.caller()
  const {parent, name} = ctx.parentAndName(path)
  const type = mode & constants.S_IFMT
  if (type === constants.S_IFIFO) return void await ctx.fs.namespace.make(parent, name, 'fifo', mode, owner)
  if (type === constants.S_IFREG || type === 0) {
    return void await ctx.fs.namespace.make(parent, name, 'file', mode, owner, {blockSizeBytes: ctx.fs.pools.writePool.blockSizeBytes})
  }
  throw new ShmrError('NOT_PERMITTED', 'only FIFOs and regular files can be created with mknod')
})
