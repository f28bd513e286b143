import type {FuseContext} from '../context.js'
import {serve} from '../serve.js'

export const open = (ctx: FuseContext) => serve('open', ctx, async (path: string, flags: number) => (await ctx.fs.open(ctx.ino(path), flags)).id)
