import {BYTE_NAME_ENCODING} from '../../format/byteNames.js'
import type {FuseContext} from '../context.js'
import type {Request} from '../request.js'
import {replyBytes} from './getxattr.js'

export function listxattr(ctx: FuseContext, request: Request): void {
  const names = ctx.fs.listxattr(request.ino, ctx.caller(request))
  replyBytes(ctx, request, Buffer.from(names.map((name) => `${name}\0`).join(''), BYTE_NAME_ENCODING))
}
