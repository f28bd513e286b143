import type {FuseContext} from '../context.js'
import {serve} from '../serve.js'
import {toFuseStat} from '../toFuseStat.js'

/**
 * getattr of an open file, which the kernel names by its handle: the inode comes from the handle,
 * not from walking the path. With attr_timeout 0 the kernel asks before every read of an open
 * file (it checks the size), so this is a request per read(2).
 */
export const fgetattr = (ctx: FuseContext) => serve('fgetattr', ctx, (_path: string, fd: number) => toFuseStat(ctx.fs.getattr(ctx.fs.data.handle(fd).file.ino)))
