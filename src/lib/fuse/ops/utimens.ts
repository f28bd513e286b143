import type {FuseContext} from '../context.js'
import {serve} from '../serve.js'

/**
 * fuse-native hands times over as milliseconds, turning UTIME_OMIT (tv_nsec = 2^30 - 2, with a
 * zero tv_sec from libfuse) into 1073 ms: such a value means "leave this time unchanged".
 */
const OMITTED_MS = 1073

export const utimens = (ctx: FuseContext) => serve('utimens', ctx.log, async (path: string, atimeMs: number, mtimeMs: number) => {
  await ctx.fs.setattr(ctx.ino(path), {
    ...(atimeMs === OMITTED_MS ? {} : {atimeMs}),
    ...(mtimeMs === OMITTED_MS ? {} : {mtimeMs}),
  })
})
