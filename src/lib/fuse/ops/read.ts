import type {FuseContext} from '../context.js'
import {serveCount} from '../serve.js'

export const read = (ctx: FuseContext) => serveCount('read', ctx, (_path: string, fd: number, buffer: Buffer, length: number, position: number) =>
  ctx.fs.data.read(fd, buffer, length, position), ctx.fs.data.endLoan)
