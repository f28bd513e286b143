import type {FuseContext} from '../context.js'
import type {Request} from '../request.js'

export async function mkdir(ctx: FuseContext, request: Request): Promise<void> {
  const inode = await ctx.fs.namespace.make(request.ino, request.name!, 'dir', request.mode, ctx.caller(request))
  ctx.replyEntry(request, ctx.fs.getattr(inode.ino))
}
