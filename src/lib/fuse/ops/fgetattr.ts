import type {FuseContext} from '../context.js'
import {serve} from '../serve.js'
import {toFuseStat} from '../toFuseStat.js'

/**
 * getattr of an open file, which the kernel names by its handle: the inode comes from the handle,
 * not from walking the path. With attr_timeout 0 and libfuse's auto_inval_data the kernel asks
 * before every read(2) of an open file, so this is as frequent as reads are.
 */
export const fgetattr = (ctx: FuseContext) => serve('fgetattr', ctx, (_path: string, fd: number) => toFuseStat(ctx.fs.getattr(ctx.openIno(fd))))
