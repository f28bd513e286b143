import type {FuseContext} from '../context.js'
import {serve} from '../serve.js'

// No value: fuse-native answers ENODATA.
export const getxattr = (ctx: FuseContext) => serve('getxattr', ctx, (path: string, name: string, _position: number) =>
  ctx.fs.findXattr(ctx.ino(path), name))
