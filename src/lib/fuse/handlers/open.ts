import type {FuseContext} from '../context.js'
import type {Request} from '../request.js'
import {replyOpenFlags} from './openFlags.js'

export async function open(ctx: FuseContext, request: Request): Promise<void> {
  const handle = await ctx.fs.open(request.ino, request.flags)
  ctx.session.open(request, handle.id, replyOpenFlags(request.flags))
}
