import {ShmrError} from '../../errors.js'
import {copyRange} from '../../fs/copyRange.js'
import type {FuseContext} from '../context.js'
import type {Request} from '../request.js'

/**
 * At most this many bytes per request: cp asks for the whole file at once, and a shorter answer
 * makes it ask again, so one request does not hold the serving thread's attention for long.
 */
const COPY_REQUEST_BYTES = 16 * 1024 * 1024

/** copy_file_range(2): copied inside shmr, so the bytes do not travel to the caller and back. */
export async function copyFileRange(ctx: FuseContext, request: Request): Promise<void> {
  if (request.flags !== 0) throw new ShmrError('BAD_ARGUMENT', `copy_file_range flags ${request.flags}`)
  const copied = await copyRange(ctx.fs.data, request.fh, request.offset, request.fh2, request.offset2, Math.min(request.size, COPY_REQUEST_BYTES))
  ctx.metrics?.transferred('write', copied)
  ctx.session.written(request, copied)
}
