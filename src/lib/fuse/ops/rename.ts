import {ShmrError} from '../../errors.js'
import type {FuseContext} from '../context.js'
import {serve} from '../serve.js'

/** renameat2(2) flags, as libfuse 3 passes them. */
const RENAME_NOREPLACE = 1
const RENAME_EXCHANGE = 2

export const rename = (ctx: FuseContext) => serve('rename', ctx, async (from: string, to: string, flags: number) => {
  // Linux filesystems that cannot swap two names answer EINVAL; `mv --exchange` then says so.
  if (flags & RENAME_EXCHANGE) throw new ShmrError('BAD_ARGUMENT', 'RENAME_EXCHANGE is not supported')
  const source = ctx.parentAndName(from)
  const target = ctx.parentAndName(to)
  await ctx.fs.rename(source.parent, source.name, target.parent, target.name, {noReplace: (flags & RENAME_NOREPLACE) !== 0})
})
