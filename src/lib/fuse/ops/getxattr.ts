import type {FuseContext} from '../context.js'
import {serve} from '../serve.js'

export const getxattr = (ctx: FuseContext) => serve('getxattr', ctx.log, (path: string, name: string, _position: number) =>
  ctx.fs.getxattr(ctx.ino(path), name))
