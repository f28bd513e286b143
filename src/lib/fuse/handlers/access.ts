import type {FuseContext} from '../context.js'
import type {Request} from '../request.js'

// Permission checks are the kernel's (default_permissions); access only says whether the inode exists.
export function access(ctx: FuseContext, request: Request): void {
  ctx.fs.getattr(request.ino)
  ctx.session.ok(request)
}
