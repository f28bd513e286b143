import type {FuseContext} from '../context.js'
import {serve} from '../serve.js'

/**
 * fuse-native hands times over as milliseconds, so libfuse's UTIME_NOW (tv_sec 0, tv_nsec 2^30-1)
 * arrives as 1073 ms: it means "now". UTIME_OMIT never arrives: libfuse 2 calls utimens only
 * when both times change, so a change of one time alone (touch -m -d) does not reach shmr.
 */
const NOW_MARKER_MS = 1073

export const utimens = (ctx: FuseContext) => serve('utimens', ctx, async (path: string, atimeMs: number, mtimeMs: number) => {
  const nowMs = Date.now()
  await ctx.fs.setattr(ctx.ino(path), {
    atimeMs: atimeMs === NOW_MARKER_MS ? nowMs : atimeMs,
    mtimeMs: mtimeMs === NOW_MARKER_MS ? nowMs : mtimeMs,
  })
})
