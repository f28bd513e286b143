import type {FuseContext} from '../context.js'
import type {Request} from '../request.js'

export function releasedir(ctx: FuseContext, request: Request): void {
  ctx.directories.delete(request.fh)
  ctx.session.ok(request)
}
