import type {Owner} from '../fs/owner.js'
import type {ShmrFs} from '../fs/shmrFs.js'
import type {Metrics} from '../metrics/metrics.js'
import {CAPABILITY_XATTR} from '../fs/writePrivileges.js'
import {CapabilityShortcut} from './capabilityShortcut.js'
import type {Log} from './serve.js'
import {splitPath} from './paths.js'

/** What every operation handler gets: the core, a logger, and path resolution. */
export class FuseContext {
  private callerOf: (() => Owner) | undefined
  readonly capabilities: CapabilityShortcut

  constructor(readonly fs: ShmrFs, readonly log: Log, readonly metrics?: Metrics) {
    this.capabilities = new CapabilityShortcut(!fs.store.xattrs.anyNamed(CAPABILITY_XATTR))
  }

  /** Set once the binding exists: where to ask who made the current request. */
  bindCaller(callerOf: () => Owner): void {
    this.callerOf = callerOf
  }

  /** The user and group of the request being handled. Call before the handler's first await. */
  caller(): Owner | undefined {
    return this.callerOf?.()
  }

  ino(filePath: string): number {
    return this.fs.namespace.resolve(filePath)
  }

  /** The inode of the open file `fd` names (the handle shmr's open or create gave the kernel). */
  openIno(fd: number): number {
    return this.fs.data.handle(fd).file.ino
  }

  /** The parent directory's inode and the last name of a path that is about to be created or removed. */
  parentAndName(filePath: string): {parent: number; name: string} {
    const {parentPath, name} = splitPath(filePath)
    return {parent: this.ino(parentPath), name}
  }
}
