import type {FuseContext} from '../context.js'
import type {Request} from '../request.js'

export async function statfs(ctx: FuseContext, request: Request): Promise<void> {
  const stats = await ctx.fs.statfs()
  const files = 2 ** 32 - 1
  ctx.session.statfs(request, [stats.blockSizeBytes, stats.blockSizeBytes, stats.totalBlocks, stats.freeBlocks, stats.freeBlocks,
    stats.files, files - stats.files, files - stats.files, stats.nameMaxBytes])
}
