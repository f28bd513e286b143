import {ShmrError} from '../../errors.js'
import {NAME_MAX_BYTES} from '../../format/constants.js'
import {putNoEntry} from '../attributes.js'
import type {FuseContext} from '../context.js'
import type {Request} from '../request.js'

/** A name that does not exist is answered as a negative entry, which the kernel caches like any other. */
export function lookup(ctx: FuseContext, request: Request): void {
  const name = request.name!
  // Names are Latin-1 strings here, one character per byte.
  if (name.length > NAME_MAX_BYTES) throw new ShmrError('NAME_TOO_LONG', `a name is at most ${NAME_MAX_BYTES} bytes`)
  const entry = ctx.fs.namespace.find(request.ino, name)
  if (!entry) {
    putNoEntry(ctx.session.attr)
    ctx.session.entry(request)
    return
  }
  ctx.replyEntry(request, ctx.fs.getattr(entry.ino))
}
