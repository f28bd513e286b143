import type {FuseContext} from '../context.js'
import type {Request} from '../request.js'

/**
 * A read answers with the bytes of a cached block where it can: lent to the binding, which copies
 * them into the reply on another thread and ends the loan when done (a megabyte copied on this
 * thread was its largest cost in a sequential read); or with its own copy.
 */
export async function read(ctx: FuseContext, request: Request): Promise<void> {
  const target = ctx.readTargets.take(request.size)
  try {
    const answer = await ctx.fs.data.read(request.fh, target, request.size, request.offset)
    if (typeof answer === 'number') {
      ctx.metrics?.transferred('read', answer)
      ctx.session.buffer(request, target, 0, answer)
      return
    }
    ctx.metrics?.transferred('read', answer.count)
    ctx.session.bufferLater(request, answer.buffer, answer.offset, answer.count, () => ctx.fs.data.endLoan(answer.buffer))
  } finally {
    // The reply copied what it needed (session.buffer copies before it returns; a lent answer
    // never used the target).
    ctx.readTargets.give(target)
  }
}
