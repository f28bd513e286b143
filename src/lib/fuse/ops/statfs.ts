import type {FuseContext} from '../context.js'
import {serve} from '../serve.js'

// fuse-native passes statfs fields as 32-bit numbers: 1 MiB units keep multi-drive pools in range.
export const statfs = (ctx: FuseContext) => serve('statfs', ctx, async (_path: string) => {
  const stats = await ctx.fs.statfs()
  return {
    bsize: stats.blockSizeBytes, frsize: stats.blockSizeBytes, blocks: stats.totalBlocks, bfree: stats.freeBlocks,
    bavail: stats.freeBlocks, files: stats.files, ffree: 0xffffffff - stats.files, favail: 0xffffffff - stats.files,
    fsid: 0, flag: 0, namemax: stats.nameMaxBytes,
  }
})
