import {ShmrError} from '../../errors.js'
import type {FuseContext} from '../context.js'
import type {Request} from '../request.js'

/** lseek(2) whence values the kernel hands over (SEEK_SET, SEEK_CUR and SEEK_END it answers itself). */
const SEEK_DATA = 3
const SEEK_HOLE = 4

/** SEEK_DATA and SEEK_HOLE: holes are known (blocks never written), so cp --sparse and tar -S skip them. */
export function lseek(ctx: FuseContext, request: Request): void {
  if (request.mode !== SEEK_DATA && request.mode !== SEEK_HOLE) throw new ShmrError('BAD_ARGUMENT', `lseek whence ${request.mode}`)
  ctx.session.lseek(request, ctx.fs.data.seekData(request.fh, request.offset, request.mode === SEEK_DATA))
}
