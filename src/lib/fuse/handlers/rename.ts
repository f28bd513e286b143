import type {FuseContext} from '../context.js'
import type {Request} from '../request.js'

/** renameat2(2) flags. */
const RENAME_NOREPLACE = 1
const RENAME_EXCHANGE = 2

export async function rename(ctx: FuseContext, request: Request): Promise<void> {
  if (request.flags & RENAME_EXCHANGE) await ctx.fs.namespace.exchange(request.ino, request.name!, request.ino2, request.name2!)
  else await ctx.fs.rename(request.ino, request.name!, request.ino2, request.name2!, {noReplace: (request.flags & RENAME_NOREPLACE) !== 0})
  ctx.session.ok(request)
}
