import type {AttributeChanges} from '../../fs/shmrFs.js'
import type {FuseContext} from '../context.js'
import {SET_ATIME, SET_ATIME_NOW, SET_GID, SET_MODE, SET_MTIME, SET_MTIME_NOW, SET_SIZE, SET_UID} from '../opcodes.js'
import type {Request} from '../request.js'

/** chmod, chown, truncate and utimens in one request: each field the kernel marks is set. */
export async function setattr(ctx: FuseContext, request: Request): Promise<void> {
  const set = request.toSet
  const now = {ms: Date.now(), ns: 0}
  if (set & SET_SIZE) await ctx.fs.data.truncate(request.ino, request.setSize)
  const changes: AttributeChanges = {
    ...(set & SET_MODE ? {mode: request.setMode} : {}),
    ...(set & SET_UID ? {uid: request.setUid} : {}),
    ...(set & SET_GID ? {gid: request.setGid} : {}),
    ...(set & SET_ATIME_NOW ? {atime: now} : set & SET_ATIME ? {atime: request.setAtime} : {}),
    ...(set & SET_MTIME_NOW ? {mtime: now} : set & SET_MTIME ? {mtime: request.setMtime} : {}),
  }
  if (Object.keys(changes).length > 0) await ctx.fs.setattr(request.ino, changes)
  ctx.replyAttributes(request, ctx.fs.getattr(request.ino))
}
