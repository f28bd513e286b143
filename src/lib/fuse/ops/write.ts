import type {FuseContext} from '../context.js'
import {serveCount} from '../serve.js'

export const write = (ctx: FuseContext) => serveCount('write', ctx, async (_path: string, fd: number, buffer: Buffer, length: number, position: number) => {
  const caller = ctx.caller()
  // Files opened write-only are in direct I/O (binding.ts), and the kernel leaves dropping setuid
  // and capabilities on write to the server for those; on any other it has done so already.
  await ctx.fs.dropPrivilegesForWrite(ctx.openIno(fd), caller, ctx.capabilities.mayExist)
  return ctx.fs.data.write(fd, buffer, length, position)
})
