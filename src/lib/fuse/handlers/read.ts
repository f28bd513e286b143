import type {FuseContext} from '../context.js'
import type {Request} from '../request.js'

/**
 * A read answers with the bytes of a cached block where it can (lent: the binding copies them
 * into the reply before replying returns, so the loan ends at once), or with its own copy.
 */
export async function read(ctx: FuseContext, request: Request): Promise<void> {
  const target = Buffer.allocUnsafe(request.size)
  const answer = await ctx.fs.data.read(request.fh, target, request.size, request.offset)
  if (typeof answer === 'number') {
    ctx.metrics?.transferred('read', answer)
    ctx.session.buffer(request, target, 0, answer)
    return
  }
  try {
    ctx.metrics?.transferred('read', answer.count)
    ctx.session.buffer(request, answer.buffer, answer.offset, answer.count)
  } finally {
    ctx.fs.data.endLoan(answer.buffer)
  }
}
