import {constants} from 'node:os'
import {ShmrError} from '../../errors.js'
import type {FuseContext} from '../context.js'
import type {Request} from '../request.js'

/** A size of 0 asks for the value's size; a value longer than the size asked for is ERANGE. */
export function getxattr(ctx: FuseContext, request: Request): void {
  const value = ctx.fs.findXattr(request.ino, request.name!)
  if (!value) throw new ShmrError('NO_XATTR', `no attribute ${request.name}`)
  replyBytes(ctx, request, value)
}

/** Answers a getxattr or listxattr with `bytes`, or their size to a size probe. */
export function replyBytes(ctx: FuseContext, request: Request, bytes: Buffer): void {
  if (request.size === 0) ctx.session.xattrSize(request, bytes.length)
  else if (bytes.length > request.size) ctx.session.err(request, constants.errno.ERANGE)
  else ctx.session.buffer(request, bytes, 0, bytes.length)
}
