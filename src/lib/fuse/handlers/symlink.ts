import type {FuseContext} from '../context.js'
import type {Request} from '../request.js'

export async function symlink(ctx: FuseContext, request: Request): Promise<void> {
  const inode = await ctx.fs.namespace.make(request.ino, request.name!, 'symlink', 0o777, ctx.caller(request), {target: request.name2!})
  ctx.replyEntry(request, ctx.fs.getattr(inode.ino))
}
