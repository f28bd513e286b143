import type {FuseContext} from '../context.js'
import type {Request} from '../request.js'

export async function fsyncdir(ctx: FuseContext, request: Request): Promise<void> {
  await ctx.fs.syncNamespace()
  ctx.session.ok(request)
}
