import type {FuseContext} from '../context.js'
import type {Request} from '../request.js'

export async function fsync(ctx: FuseContext, request: Request): Promise<void> {
  await ctx.fs.data.syncFile(request.ino)
  ctx.session.ok(request)
}
