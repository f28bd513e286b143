import type {FuseContext} from '../context.js'
import type {Request} from '../request.js'

/**
 * Takes the directory's listing once, so that readdir can serve it by position: entries created
 * or removed while it is read (rm -rf removing as it lists) neither shift nor repeat the rest.
 */
export function opendir(ctx: FuseContext, request: Request): void {
  const dir = request.ino
  const parent = ctx.fs.parentOf(dir)
  const entries = [{name: '.', ino: dir}, {name: '..', ino: parent}, ...ctx.fs.namespace.list(dir).map(({name, entry}) => ({name, ino: entry.ino}))]
  ctx.session.open(request, ctx.openDirectory({entries}), 0)
}
