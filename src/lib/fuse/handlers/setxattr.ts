import type {FuseContext} from '../context.js'
import type {Request} from '../request.js'

export async function setxattr(ctx: FuseContext, request: Request): Promise<void> {
  ctx.absentXattrs.beforeStore(request.name!)
  // The value is the binding's until the reply: the store keeps a copy.
  await ctx.fs.setxattr(request.ino, request.name!, Buffer.from(request.data!), request.flags)
  ctx.session.ok(request)
}
