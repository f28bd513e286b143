import {constants} from 'node:fs'
import {ShmrError} from '../../errors.js'
import type {Inode, InodeKind} from '../../meta/records.js'
import type {FuseContext} from '../context.js'
import type {Request} from '../request.js'

/** The kinds mknod makes besides regular files, by their file type bits. */
const SPECIAL_KINDS = new Map<number, InodeKind>([
  [constants.S_IFIFO, 'fifo'], [constants.S_IFCHR, 'chardev'], [constants.S_IFBLK, 'blockdev'], [constants.S_IFSOCK, 'socket'],
])

// Device nodes are names and numbers, as on any filesystem: the mount is nodev, so none opens a
// device, and the kernel has checked CAP_MKNOD before asking.
export async function mknod(ctx: FuseContext, request: Request): Promise<void> {
  const type = request.mode & constants.S_IFMT
  const {namespace} = ctx.fs
  const special = SPECIAL_KINDS.get(type)
  let inode: Inode
  if (special) {
    const device = special === 'chardev' || special === 'blockdev'
    inode = await namespace.make(request.ino, request.name!, special, request.mode, ctx.caller(request), device ? {rdev: request.rdev} : {})
  } else if (type === constants.S_IFREG || type === 0) {
    inode = await namespace.make(request.ino, request.name!, 'file', request.mode, ctx.caller(request), {blockSizeBytes: ctx.fs.pools.writePool.blockSizeBytes})
  } else {
    throw new ShmrError('BAD_ARGUMENT', `mknod of an unknown file type (mode ${request.mode.toString(8)})`)
  }
  ctx.replyEntry(request, ctx.fs.getattr(inode.ino))
}
