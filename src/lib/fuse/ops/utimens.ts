import type {FuseContext} from '../context.js'
import {serve} from '../serve.js'

/**
 * The binding resolves UTIME_NOW to the current time and hands a time that does not change
 * (UTIME_OMIT: `touch -m`, tar restoring only mtimes) over as undefined. Times are milliseconds.
 */
export const utimens = (ctx: FuseContext) => serve('utimens', ctx, async (path: string, atimeMs: number | undefined, mtimeMs: number | undefined) => {
  if (atimeMs === undefined && mtimeMs === undefined) return
  await ctx.fs.setattr(ctx.ino(path), {atimeMs, mtimeMs})
})
