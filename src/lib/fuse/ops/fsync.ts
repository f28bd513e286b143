import type {FuseContext} from '../context.js'
import {serve} from '../serve.js'

export const fsync = (ctx: FuseContext) => serve('fsync', ctx, async (_path: string, _datasync: number, fd: number) => {
  await ctx.fs.data.syncFile(ctx.openIno(fd))
})
