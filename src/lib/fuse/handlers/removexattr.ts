import type {FuseContext} from '../context.js'
import type {Request} from '../request.js'

export async function removexattr(ctx: FuseContext, request: Request): Promise<void> {
  await ctx.fs.removexattr(request.ino, request.name!)
  ctx.session.ok(request)
}
