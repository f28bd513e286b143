import type {FuseContext} from '../context.js'
import type {Request} from '../request.js'
import {OPEN_KEEP_CACHE} from '../opcodes.js'
import {replyOpenFlags} from './openFlags.js'

export async function open(ctx: FuseContext, request: Request): Promise<void> {
  const handle = await ctx.fs.open(request.ino, request.flags)
  const keep = !handle.mode.writeOnly && ctx.pageCache.keepsPagesAtOpen(request.ino)
  if (!handle.mode.writeOnly) ctx.readPlans.opened(request.ino, () => ctx.fs.data.storedLayout(request.ino))
  ctx.session.open(request, handle.id, replyOpenFlags(request.flags) | (keep ? OPEN_KEEP_CACHE : 0))
}
