import {ShmrError} from '../../errors.js'
import type {FuseContext} from '../context.js'
import type {Request} from '../request.js'

/** renameat2(2) flags. */
const RENAME_NOREPLACE = 1
const RENAME_EXCHANGE = 2

export async function rename(ctx: FuseContext, request: Request): Promise<void> {
  // Linux filesystems that cannot swap two names answer EINVAL; `mv --exchange` then says so.
  if (request.flags & RENAME_EXCHANGE) throw new ShmrError('BAD_ARGUMENT', 'RENAME_EXCHANGE is not supported')
  await ctx.fs.rename(request.ino, request.name!, request.ino2, request.name2!, {noReplace: (request.flags & RENAME_NOREPLACE) !== 0})
  ctx.session.ok(request)
}
