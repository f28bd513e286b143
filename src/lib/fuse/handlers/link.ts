import type {FuseContext} from '../context.js'
import type {Request} from '../request.js'

export async function link(ctx: FuseContext, request: Request): Promise<void> {
  const inode = await ctx.fs.namespace.link(request.ino, request.ino2, request.name!)
  ctx.replyEntry(request, ctx.fs.getattr(inode.ino))
}
