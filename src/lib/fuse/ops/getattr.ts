import type {FuseContext} from '../context.js'
import {serve} from '../serve.js'
import {toFuseStat} from '../toFuseStat.js'

export const getattr = (ctx: FuseContext) => serve('getattr', ctx, (path: string) => toFuseStat(ctx.fs.getattr(ctx.ino(path))))
