import type {Log} from '../log.js'
import type {BlockStore} from '../blocks/blockStore.js'
import {ShmrError} from '../errors.js'
import {TombstoneReclaimer} from '../gc/tombstoneReclaimer.js'
import {poolCapacities} from '../pools/usableSpace.js'
import {NAME_MAX_BYTES, ROOT_INODE} from '../format/constants.js'
import type {ExactTime} from '../format/exactTimes.js'
import type {MetaStore} from '../meta/metaStore.js'
import type {Inode} from '../meta/records.js'
import type {PoolSet} from '../pools/poolSet.js'
import {FileData, type FileDataOptions, type FileHandle} from './fileData.js'
import {Namespace} from './namespace.js'
import type {Owner} from './owner.js'
import {statOf, type Stat} from './stat.js'
import {CAPABILITY_XATTR, modeBitsDroppedByWrite} from './writePrivileges.js'
import {fileLocation} from '../inspect/fileLocation.js'
import {checkXattrName, LOCATION_XATTR, XATTR_CREATE, XATTR_LIST_MAX_BYTES, XATTR_REPLACE, XATTR_VALUE_MAX_BYTES} from './xattrNames.js'

/** Attribute changes of setattr: each field present is set. */
export interface AttributeChanges {
  readonly mode?: number
  readonly uid?: number
  readonly gid?: number
  readonly atime?: ExactTime
  readonly mtime?: ExactTime
}

export interface FsStats {
  readonly blockSizeBytes: number
  readonly totalBlocks: number
  readonly freeBlocks: number
  readonly files: number
  readonly nameMaxBytes: number
}

/**
 * The filesystem core: POSIX operations on inode numbers, throwing ShmrError. Knows nothing of
 * FUSE; the adapter in src/lib/fuse translates paths, errors and stat structures.
 */
export class ShmrFs {
  readonly namespace: Namespace
  readonly data: FileData
  readonly reclaimer: TombstoneReclaimer

  constructor(readonly store: MetaStore, readonly blocks: BlockStore, readonly pools: PoolSet, options: FileDataOptions,
    readonly log: Log) {
    this.reclaimer = new TombstoneReclaimer(store, blocks, pools, log)
    store.onBuried = (tombstones) => this.reclaimer.reclaim(tombstones)
    this.data = new FileData(store, blocks, pools, options, log, this.reclaimer)
    this.namespace = new Namespace(store, blocks, this.data)
  }

  /**
   * rename(2). A file replacing another has its buffered data written out first, as ext4 does
   * (auto_da_alloc): after a crash, the write-a-copy-then-rename idiom without fsync must leave
   * the old file or the whole new one, never an empty file in its place.
   */
  async rename(parent: number, name: string, newParent: number, newName: string, options: {noReplace?: boolean} = {}): Promise<void> {
    const source = this.store.dirents.lookup(parent, name)
    if (source?.kind === 'file' && this.store.dirents.lookup(newParent, newName)) await this.data.flushFile(source.ino)
    await this.namespace.rename(parent, name, newParent, newName, options)
  }

  /** fsync of a directory: every change to the namespace so far durable. */
  async syncNamespace(): Promise<void> {
    await this.store.durable()
  }

  getattr(ino: number): Stat {
    return statOf(this.data.liveAttributes(this.store.inodes.getInode(ino)))
  }

  /** getattr, or undefined when the inode is gone. */
  findStat(ino: number): Stat | undefined {
    const inode = this.store.inodes.findInode(ino)
    return inode && statOf(this.data.liveAttributes(inode))
  }

  /** The directory holding directory `dir` (the root holds itself). */
  parentOf(dir: number): number {
    return this.store.inodes.getInode(dir).parent ?? ROOT_INODE
  }

  readlink(ino: number): string {
    const inode = this.store.inodes.getInode(ino)
    if (inode.kind !== 'symlink' || inode.target === undefined) throw new ShmrError('BAD_ARGUMENT', 'not a symbolic link')
    return inode.target
  }

  async createFile(parent: number, name: string, permissions: number, flags: number, owner?: Owner): Promise<FileHandle> {
    const inode = await this.namespace.make(parent, name, 'file', permissions, owner, {blockSizeBytes: this.pools.writePool.blockSizeBytes})
    return this.data.open(inode, flags)
  }

  async open(ino: number, flags: number): Promise<FileHandle> {
    const handle = await this.data.open(this.store.inodes.getInode(ino), flags)
    if (!handle.mode.write) this.data.touchAccess(ino)
    return handle
  }

  /**
   * chmod, chown, utimens. Only the attributes change: an open file's buffered data and live size
   * stay buffered (flushing here would turn each of the writeback cache's mtime updates into a
   * flush), and its live times take the new values inside the transaction, so a flush committed
   * after it cannot bring the old ones back.
   */
  async setattr(ino: number, changes: AttributeChanges): Promise<void> {
    const nowMs = Date.now()
    await this.store.transaction(() => {
      const inode: Inode = this.store.inodes.getInode(ino)
      this.store.inodes.putInode({
        ...inode,
        ...(changes.mode === undefined ? {} : {mode: (inode.mode & ~0o7777) | (changes.mode & 0o7777)}),
        ...(changes.uid === undefined ? {} : {uid: changes.uid}),
        ...(changes.gid === undefined ? {} : {gid: changes.gid}),
        ...(changes.atime === undefined ? {} : {atimeMs: changes.atime.ms, atimeNs: [changes.atime.ms, changes.atime.ns] as const}),
        ...(changes.mtime === undefined ? {} : {mtimeMs: changes.mtime.ms, mtimeNs: [changes.mtime.ms, changes.mtime.ns] as const}),
        ctimeMs: nowMs,
      })
      this.data.applyTimes(ino, {atimeMs: changes.atime?.ms, mtimeMs: changes.mtime?.ms, ctimeMs: nowMs})
    })
  }

  /**
   * What a write by `caller` does to a file's privileges (see modeBitsDroppedByWrite), for writes
   * that reach shmr without the kernel having done it: those of files the binding opened with
   * direct I/O. Elsewhere the kernel has already asked for the same changes, and this finds none.
   * `capabilitiesMayExist: false` skips looking for security.capability.
   */
  async dropPrivilegesForWrite(ino: number, caller: Owner | undefined, capabilitiesMayExist: boolean): Promise<void> {
    // Root keeps setuid and setgid (modeBitsDroppedByWrite): with no capability to remove either,
    // nothing can change, and the inode need not be read for every write.
    if (caller?.uid === 0 && !capabilitiesMayExist) return
    const needed = (inode: Inode): {bits: number; capability: boolean} => ({
      bits: modeBitsDroppedByWrite(inode.mode, caller?.uid),
      capability: capabilitiesMayExist && this.store.xattrs.find([ino, CAPABILITY_XATTR]) !== undefined,
    })
    const first = needed(this.store.inodes.getInode(ino))
    if (first.bits === 0 && !first.capability) return
    const nowMs = Date.now()
    await this.store.transaction(() => {
      const inode = this.store.inodes.getInode(ino)
      const {bits, capability} = needed(inode)
      if (capability) this.store.xattrs.remove([ino, CAPABILITY_XATTR])
      this.store.inodes.putInode({...inode, mode: inode.mode & ~bits, ctimeMs: nowMs})
      this.data.applyTimes(ino, {atimeMs: undefined, mtimeMs: undefined, ctimeMs: nowMs})
    })
    // A write asked for nothing of the kind: the kernel's copy of the mode is stale now.
    this.data.noteChanged(ino)
  }

  /**
   * An extended attribute's value, or undefined when there is none. Not an error: the kernel asks
   * for security.capability before every write, and a throw per write costs a stack trace.
   */
  findXattr(ino: number, name: string): Buffer | undefined {
    const inode = this.store.inodes.getInode(ino)
    if (name === LOCATION_XATTR && inode.kind === 'file') {
      return Buffer.from(JSON.stringify(fileLocation(this.store, this.pools, inode, this.data.dirtyBlocks(ino))))
    }
    return this.store.xattrs.find([ino, name])
  }

  /**
   * The names of a file's extended attributes. `trusted.*` are listed only to root (the kernel
   * lets only CAP_SYS_ADMIN read them, and ext4 lists them to no one else either).
   */
  listxattr(ino: number, caller?: Owner): string[] {
    this.store.inodes.getInode(ino)
    const names = this.store.xattrs.names(ino)
    return caller === undefined || caller.uid === 0 ? names : names.filter((name) => !name.startsWith('trusted.'))
  }

  async setxattr(ino: number, name: string, value: Buffer, flags: number): Promise<void> {
    checkXattrName(name)
    if (value.length > XATTR_VALUE_MAX_BYTES) throw new ShmrError('NO_SPACE', 'extended attribute value too large')
    await this.store.transaction(() => {
      const inode = this.store.inodes.getInode(ino)
      const exists = this.store.xattrs.find([ino, name]) !== undefined
      if (flags & XATTR_CREATE && exists) throw new ShmrError('EXISTS', `extended attribute ${name} exists`)
      if (flags & XATTR_REPLACE && !exists) throw new ShmrError('NO_XATTR', `no extended attribute ${name}`)
      // A file with more names than listxattr can answer could no longer be copied (cp -a, rsync -X, tar --xattrs).
      if (!exists && this.store.xattrs.names(ino).reduce((sum, other) => sum + other.length + 1, name.length + 1) > XATTR_LIST_MAX_BYTES) {
        throw new ShmrError('NO_SPACE', `the names of inode ${ino}'s extended attributes would not fit in listxattr's ${XATTR_LIST_MAX_BYTES} bytes`)
      }
      this.store.xattrs.put([ino, name], Buffer.from(value))
      this.store.inodes.putInode({...inode, ctimeMs: Date.now()})
    })
  }

  async removexattr(ino: number, name: string): Promise<void> {
    if (name === LOCATION_XATTR) throw new ShmrError('NOT_PERMITTED', `${LOCATION_XATTR} is computed by shmr and cannot be removed`)
    await this.store.transaction(() => {
      const inode = this.store.inodes.getInode(ino)
      if (!this.store.xattrs.remove([ino, name])) throw new ShmrError('NO_XATTR', `no extended attribute ${name}`)
      this.store.inodes.putInode({...inode, ctimeMs: Date.now()})
    })
  }

  /**
   * What df shows: the data every pool can store under its own scheme (the archive's after its
   * parity), summed, and what fits in their free space (pools/usableSpace.ts).
   */
  async statfs(): Promise<FsStats> {
    const blockSizeBytes = 1024 * 1024
    const spaces = await poolCapacities(this.pools)
    const totalBytes = spaces.reduce((sum, space) => sum + space.usableBytes, 0)
    const freeBytes = spaces.reduce((sum, space) => sum + space.freeUsableBytes, 0)
    return {
      blockSizeBytes, totalBlocks: Math.floor(totalBytes / blockSizeBytes), freeBlocks: Math.floor(freeBytes / blockSizeBytes),
      files: this.store.inodes.count(), nameMaxBytes: NAME_MAX_BYTES,
    }
  }
}
