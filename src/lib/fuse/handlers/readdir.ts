import {putAttributes} from '../attributes.js'
import type {FuseContext} from '../context.js'
import type {Request} from '../request.js'

/** Entries of the listing opendir took, from position `offset` on, as many as fit. */
export function readdir(ctx: FuseContext, request: Request): void {
  listEntries(ctx, request, false)
}

/**
 * readdir with every entry's attributes (and a name lookup's worth for the kernel to cache): a
 * listing is nearly always followed by a stat of its entries (ls -l, find, rsync).
 */
export function listEntries(ctx: FuseContext, request: Request, plus: boolean): void {
  const listing = ctx.directories.get(request.fh)
  if (listing && !listing.entries) listing.entries = listingOf(ctx, listing.dir)
  const entries = listing?.entries ?? []
  const {attr} = ctx.session
  for (let at = request.offset; at < entries.length; at++) {
    const entry = entries[at]!
    const stat = ctx.fs.findStat(entry.ino)
    if (!stat) continue // removed since the listing was taken
    putAttributes(attr, stat)
    if (!ctx.session.direntsAdd(request, entry.name, at + 1, plus)) break
  }
  ctx.session.dirents(request)
}

/**
 * A directory's entries, `.` and `..` first, taken once per open directory: entries created or
 * removed while it is read (rm -rf removing as it lists) neither shift nor repeat the rest.
 */
function listingOf(ctx: FuseContext, dir: number): ReadonlyArray<{name: string; ino: number}> {
  return [{name: '.', ino: dir}, {name: '..', ino: ctx.fs.parentOf(dir)}, ...ctx.fs.namespace.list(dir).map(({name, entry}) => ({name, ino: entry.ino}))]
}
