import type {FuseContext} from '../context.js'
import {serve} from '../serve.js'

export const listxattr = (ctx: FuseContext) => serve('listxattr', ctx, (path: string) => ctx.fs.listxattr(ctx.ino(path), ctx.caller()))
