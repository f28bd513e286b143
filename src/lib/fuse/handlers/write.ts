import type {FuseContext} from '../context.js'
import type {Request} from '../request.js'

export async function write(ctx: FuseContext, request: Request): Promise<void> {
  // Files opened write-only are in direct I/O (openFlags.ts), and the kernel leaves dropping
  // setuid and capabilities on write to the server for those; on any other it has done so already.
  const handle = ctx.fs.data.handle(request.fh)
  await ctx.fs.dropPrivilegesForWrite(handle.file.ino, ctx.caller(request), ctx.absentXattrs.capabilitiesMayExist)
  if (handle.mode.writeOnly) ctx.pageCache.wrotePast(handle.file.ino)
  // Answered as soon as the write can no longer fail; its bytes (in the binding's receive buffer,
  // ours until the dispatcher releases the request) are copied in just after.
  await ctx.fs.data.write(request.fh, request.data!, request.size, request.offset, () => {
    ctx.metrics?.transferred('write', request.size)
    ctx.session.written(request, request.size)
  })
}
