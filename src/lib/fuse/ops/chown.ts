import type {FuseContext} from '../context.js'
import {serve} from '../serve.js'

/** chown(2) passes -1 (as an unsigned 32-bit number here) for "leave unchanged". */
const UNCHANGED = 0xffffffff

export const chown = (ctx: FuseContext) => serve('chown', ctx, async (path: string, uid: number, gid: number) => {
  await ctx.fs.setattr(ctx.ino(path), {...(uid === UNCHANGED ? {} : {uid}), ...(gid === UNCHANGED ? {} : {gid})})
})
