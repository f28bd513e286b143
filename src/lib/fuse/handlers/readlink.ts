import type {FuseContext} from '../context.js'
import type {Request} from '../request.js'

export function readlink(ctx: FuseContext, request: Request): void {
  ctx.session.readlink(request, ctx.fs.readlink(request.ino))
}
