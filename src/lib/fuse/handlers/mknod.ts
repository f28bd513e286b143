import {constants} from 'node:fs'
import {ShmrError} from '../../errors.js'
import type {Inode} from '../../meta/records.js'
import type {FuseContext} from '../context.js'
import type {Request} from '../request.js'

// FIFOs and regular files only: device nodes and sockets have no meaning on an archive yet.
export async function mknod(ctx: FuseContext, request: Request): Promise<void> {
  const type = request.mode & constants.S_IFMT
  const {namespace} = ctx.fs
  let inode: Inode
  if (type === constants.S_IFIFO) inode = await namespace.make(request.ino, request.name!, 'fifo', request.mode, ctx.caller(request))
  else if (type === constants.S_IFREG || type === 0) {
    inode = await namespace.make(request.ino, request.name!, 'file', request.mode, ctx.caller(request), {blockSizeBytes: ctx.fs.pools.writePool.blockSizeBytes})
  } else {
    throw new ShmrError('NOT_PERMITTED', 'only FIFOs and regular files can be created with mknod')
  }
  ctx.replyEntry(request, ctx.fs.getattr(inode.ino))
}
