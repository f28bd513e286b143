import type {FuseContext} from '../context.js'
import {OPEN_CACHE_DIR, OPEN_KEEP_CACHE} from '../opcodes.js'
import type {Request} from '../request.js'

/**
 * Opens a directory whose listing the kernel may keep (and keep across opens): every change to
 * a directory goes through the kernel, which drops its copy when it makes one, and shmr changes
 * no listing by itself. A second walk of a tree (find after ls -R, rm -r after a listing) then
 * reads its directories from the kernel's cache. The listing is taken at the first readdir.
 */
export function opendir(ctx: FuseContext, request: Request): void {
  ctx.session.open(request, ctx.openDirectory({dir: request.ino}), OPEN_KEEP_CACHE | OPEN_CACHE_DIR)
}
