import type {FuseContext} from '../context.js'
import type {Request} from '../request.js'

export function getattr(ctx: FuseContext, request: Request): void {
  ctx.replyAttributes(request, ctx.fs.getattr(request.ino))
}
