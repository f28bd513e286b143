import type {FuseContext} from '../context.js'
import type {Request} from '../request.js'

export async function unlink(ctx: FuseContext, request: Request): Promise<void> {
  await ctx.fs.namespace.remove(request.ino, request.name!, 'file')
  ctx.session.ok(request)
}
