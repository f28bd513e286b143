import type {Owner} from '../fs/owner.js'
import type {Log} from '../log.js'
import type {ShmrFs} from '../fs/shmrFs.js'
import type {Stat} from '../fs/stat.js'
import type {Metrics} from '../metrics/metrics.js'
import {putAttributes} from './attributes.js'
import {AbsentXattrs} from './absentXattrs.js'
import {PageCache} from './pageCache.js'
import {ReadPlans} from './readPlans.js'
import {ReadTargets} from './readTargets.js'
import type {Request} from './request.js'
import type {FuseSession} from './session.js'

/**
 * An open directory, and its listing as the first readdir took it: readdir serves it by position
 * (the offset). Taken at the first readdir, not at opendir: the kernel keeps listings
 * (opendir.ts), and an open whose readdirs it answers from its cache needs none.
 */
export interface DirectoryListing {
  readonly dir: number
  entries?: ReadonlyArray<{readonly name: string; readonly ino: number}>
}

/** What every operation handler gets: the core, the session to answer through, a logger. */
export class FuseContext {
  readonly absentXattrs: AbsentXattrs
  private bound: FuseSession | undefined
  /** Open directories by handle. */
  readonly directories = new Map<number, DirectoryListing>()
  /** Buffers reads copy their bytes into for the reply. */
  readonly readTargets = new ReadTargets()
  readonly pageCache = new PageCache()
  /** Open files' stored layouts, which the binding reads from itself. */
  readonly readPlans = new ReadPlans()
  private nextDirectory = 1

  constructor(readonly fs: ShmrFs, readonly log: Log, readonly metrics?: Metrics) {
    this.absentXattrs = new AbsentXattrs((name) => fs.store.xattrs.anyNamed(name))
  }

  /** Set once mounted: where replies go. */
  bind(session: FuseSession): void {
    this.bound = session
  }

  get session(): FuseSession {
    if (!this.bound) throw new Error('the FUSE session is not mounted yet')
    return this.bound
  }

  /** Who made the request. */
  caller(request: Request): Owner {
    return {uid: request.uid, gid: request.gid}
  }

  /** Answers a lookup, mknod, mkdir, symlink or link with the entry's attributes. */
  replyEntry(request: Request, stat: Stat): void {
    putAttributes(this.session.attr, stat)
    this.session.entry(request)
  }

  replyAttributes(request: Request, stat: Stat): void {
    putAttributes(this.session.attr, stat)
    this.session.attributes(request)
  }

  openDirectory(listing: DirectoryListing): number {
    const fh = this.nextDirectory++
    this.directories.set(fh, listing)
    return fh
  }
}
