import type {FuseContext} from '../context.js'
import {serve} from '../serve.js'

export const readlink = (ctx: FuseContext) => serve('readlink', ctx, (path: string) => ctx.fs.readlink(ctx.ino(path)))
