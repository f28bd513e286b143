import type {FuseContext} from '../context.js'
import {serveCount} from '../serve.js'

export const write = (ctx: FuseContext) => serveCount('write', ctx, (_path: string, fd: number, buffer: Buffer, length: number, position: number) =>
  ctx.fs.data.write(fd, buffer, length, position))
