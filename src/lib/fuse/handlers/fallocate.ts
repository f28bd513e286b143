import {ShmrError} from '../../errors.js'
import type {FuseContext} from '../context.js'
import type {Request} from '../request.js'

/** fallocate(2) mode bits (linux/falloc.h). */
const KEEP_SIZE = 0x01
const PUNCH_HOLE = 0x02
const ZERO_RANGE = 0x10

/**
 * fallocate: plain (the file grows; shmr reserves nothing ahead), KEEP_SIZE, PUNCH_HOLE (with
 * KEEP_SIZE, as the kernel requires) and ZERO_RANGE. The kernel refuses COLLAPSE_RANGE,
 * INSERT_RANGE and the rest for FUSE before asking; anything else is EOPNOTSUPP.
 */
export async function fallocate(ctx: FuseContext, request: Request): Promise<void> {
  const mode = request.mode
  if ((mode & ~(KEEP_SIZE | PUNCH_HOLE | ZERO_RANGE)) !== 0 || ((mode & PUNCH_HOLE) !== 0 && (mode & ZERO_RANGE) !== 0)) {
    throw new ShmrError('UNAVAILABLE', `fallocate mode 0x${mode.toString(16)} is not supported`)
  }
  await ctx.fs.data.allocate(request.fh, request.offset, request.size, {zero: (mode & (PUNCH_HOLE | ZERO_RANGE)) !== 0, keepSize: (mode & KEEP_SIZE) !== 0})
  ctx.session.ok(request)
}
