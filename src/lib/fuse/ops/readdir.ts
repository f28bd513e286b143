import type {FuseContext} from '../context.js'
import {serve} from '../serve.js'

export const readdir = (ctx: FuseContext) => serve('readdir', ctx, (path: string) =>
  ['.', '..', ...ctx.fs.namespace.list(ctx.ino(path)).map((entry) => entry.name)])
