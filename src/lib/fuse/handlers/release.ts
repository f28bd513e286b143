import type {FuseContext} from '../context.js'
import type {Request} from '../request.js'

export async function release(ctx: FuseContext, request: Request): Promise<void> {
  await ctx.fs.data.release(request.fh)
  if (!ctx.fs.data.isOpen(request.ino)) ctx.readPlans.drop(request.ino)
  ctx.session.ok(request)
}
