import {putAttributes} from '../attributes.js'
import type {FuseContext} from '../context.js'
import type {Request} from '../request.js'
import {replyOpenFlags} from './openFlags.js'

export async function create(ctx: FuseContext, request: Request): Promise<void> {
  const handle = await ctx.fs.createFile(request.ino, request.name!, request.mode, request.flags, ctx.caller(request))
  putAttributes(ctx.session.attr, ctx.fs.getattr(handle.file.ino))
  ctx.session.create(request, handle.id, replyOpenFlags(request.flags))
}
