import type {BlockStore} from '../blocks/blockStore.js'
import {ShmrError} from '../errors.js'
import {ROOT_INODE} from '../format/constants.js'
import {newInode} from '../init/newInode.js'
import type {MetaStore} from '../meta/metaStore.js'
import type {Dirent, Inode, InodeKind} from '../meta/records.js'
import {checkName} from './names.js'
import type {Owner} from './owner.js'
import {reclaimInode} from './blockMapEdits.js'
import {SET_GROUP_ID} from './modeBits.js'

/** Which inodes have open handles; an unlinked inode lives on until its last handle closes. */
export interface OpenCounter {
  isOpen(ino: number): boolean
  /** Told, once its transaction ran, of a closed inode deleted: what it buffered is not wanted. */
  deleted?(ino: number): void
}

/**
 * The directory tree: lookups and every operation that adds, removes or moves names. Each
 * mutation is one metadata transaction, so a crash leaves the tree before or after it.
 */
export class Namespace {
  private readonly imageIno: number | undefined
  /** Where the transaction callback running now lists the inodes it reclaims (see changing). */
  private reclaimedNow: number[] | undefined

  constructor(private readonly store: MetaStore, private readonly blocks: BlockStore, private readonly open: OpenCounter) {
    this.imageIno = store.superblock.image?.ino
  }

  /** Image mode: the image is the only file there is and ever will be. */
  private refuseInImageMode(what: string, ino?: number): void {
    if (this.imageIno !== undefined && (ino === undefined || ino === this.imageIno)) {
      throw new ShmrError('NOT_PERMITTED', `${what}: this filesystem holds only its disk image`)
    }
  }

  lookup(parent: number, name: string): Dirent {
    const entry = this.find(parent, name)
    if (!entry) throw new ShmrError('NOT_FOUND', `no entry named ${name}`)
    return entry
  }

  /** The entry `name` of directory `parent`, or undefined; throws when `parent` is not a directory. */
  find(parent: number, name: string): Dirent | undefined {
    const dir = this.dirInode(parent)
    if (name === '.') return {ino: dir.ino, kind: 'dir'}
    return this.store.dirents.lookup(parent, name)
  }

  /** The entry `name` of directory `parent`, which the caller has made sure is a directory. */
  private entryIn(parent: number, name: string): Dirent {
    const entry = this.store.dirents.lookup(parent, name)
    if (!entry) throw new ShmrError('NOT_FOUND', `no entry named ${name}`)
    return entry
  }

  /**
   * Resolves an absolute path in the filesystem (`/a/b`) to its inode number. Each step reads
   * only the directory entry: its kind says whether the next step may go through it, so the
   * inodes along the way are not read (libfuse names nearly every request by its path).
   */
  resolve(filePath: string): number {
    let at: Dirent = {ino: ROOT_INODE, kind: 'dir'}
    for (const part of filePath.split('/')) {
      if (part === '' || part === '.') continue
      if (part === '..') throw new ShmrError('BAD_ARGUMENT', 'paths with .. are not resolved here')
      if (at.kind !== 'dir') throw new ShmrError('NOT_DIR', `inode ${at.ino} is not a directory`)
      at = this.entryIn(at.ino, part)
    }
    return at.ino
  }

  list(dir: number): Array<{name: string; entry: Dirent}> {
    this.dirInode(dir)
    return this.store.dirents.list(dir)
  }

  /** Creates an inode of any kind named `name` in `parent` (`rdev`: a device node's number). */
  async make(parent: number, name: string, kind: InodeKind, permissions: number, owner: Owner | undefined,
    extra: {blockSizeBytes?: number; target?: string; rdev?: number} = {}): Promise<Inode> {
    checkName(name)
    this.refuseInImageMode(`cannot create ${name}`)
    return this.store.transaction(() => {
      const dir = this.dirInode(parent)
      if (this.store.dirents.lookup(parent, name)) throw new ShmrError('EXISTS', `${name} exists`)
      const nowMs = Date.now()
      const inode = newInode({
        ino: this.store.counters.take('nextInode'), kind, permissions: inheritedPermissions(dir, kind, permissions), ...inheritOwner(dir, owner), ...extra,
        ...(kind === 'dir' ? {parent} : {}),
      })
      this.store.inodes.putInode(inode)
      this.store.dirents.link(parent, name, {ino: inode.ino, kind})
      this.store.inodes.putInode({...dir, nlink: dir.nlink + (kind === 'dir' ? 1 : 0), mtimeMs: nowMs, ctimeMs: nowMs})
      return inode
    })
  }

  async link(ino: number, parent: number, name: string): Promise<Inode> {
    checkName(name)
    this.refuseInImageMode(`cannot link ${name}`)
    return this.store.transaction(() => {
      const inode = this.store.inodes.getInode(ino)
      if (inode.kind === 'dir') throw new ShmrError('NOT_PERMITTED', 'directories cannot be hard-linked')
      const dir = this.dirInode(parent)
      if (this.store.dirents.lookup(parent, name)) throw new ShmrError('EXISTS', `${name} exists`)
      const nowMs = Date.now()
      const linked = {...inode, nlink: inode.nlink + 1, ctimeMs: nowMs}
      this.store.inodes.putInode(linked)
      this.store.dirents.link(parent, name, {ino, kind: inode.kind})
      this.store.inodes.putInode({...dir, mtimeMs: nowMs, ctimeMs: nowMs})
      return linked
    })
  }

  /** Removes a non-directory name (unlink) or an empty directory (rmdir). */
  async remove(parent: number, name: string, expect: 'file' | 'dir'): Promise<void> {
    await this.changing(() => {
      const entry = this.lookup(parent, name)
      this.refuseInImageMode(`cannot remove ${name}`, entry.ino)
      if (expect === 'dir' && entry.kind !== 'dir') throw new ShmrError('NOT_DIR', `${name} is not a directory`)
      if (expect === 'file' && entry.kind === 'dir') throw new ShmrError('IS_DIR', `${name} is a directory`)
      if (expect === 'dir' && !this.store.dirents.isEmpty(entry.ino)) throw new ShmrError('NOT_EMPTY', `${name} is not empty`)
      const nowMs = Date.now()
      this.store.dirents.unlink(parent, name)
      if (HIDDEN_NAME.test(name)) this.store.orphans.remove(entry.ino)
      this.dropLink(entry.ino, nowMs)
      const dir = this.store.inodes.getInode(parent)
      this.store.inodes.putInode({...dir, nlink: dir.nlink - (entry.kind === 'dir' ? 1 : 0), mtimeMs: nowMs, ctimeMs: nowMs})
    })
  }

  /**
   * rename(2): replaces an existing target of the same kind (an empty directory, or a non-directory).
   * With `noReplace` (renameat2's RENAME_NOREPLACE) an existing target fails with EXISTS instead,
   * checked in the same transaction as the move.
   */
  async rename(parent: number, name: string, newParent: number, newName: string, options: {noReplace?: boolean} = {}): Promise<void> {
    checkName(newName)
    await this.changing(() => {
      const entry = this.lookup(parent, name)
      const target = this.store.dirents.lookup(newParent, newName)
      if (target && options.noReplace) throw new ShmrError('EXISTS', `${newName} exists`)
      this.refuseInImageMode(`cannot rename ${name}`, entry.ino)
      if (target) this.refuseInImageMode(`cannot replace ${newName}`, target.ino)
      this.dirInode(newParent)
      if (target?.ino === entry.ino) return
      if (entry.kind === 'dir' && this.isAncestor(entry.ino, newParent)) {
        throw new ShmrError('BAD_ARGUMENT', 'cannot move a directory into itself')
      }
      const nowMs = Date.now()
      if (target) {
        if (entry.kind === 'dir' && target.kind !== 'dir') throw new ShmrError('NOT_DIR', `${newName} is not a directory`)
        if (entry.kind !== 'dir' && target.kind === 'dir') throw new ShmrError('IS_DIR', `${newName} is a directory`)
        if (target.kind === 'dir' && !this.store.dirents.isEmpty(target.ino)) throw new ShmrError('NOT_EMPTY', `${newName} is not empty`)
        this.dropLink(target.ino, nowMs)
        if (target.kind === 'dir') this.adjustNlink(newParent, -1, nowMs)
      }
      this.store.dirents.unlink(parent, name)
      this.store.dirents.link(newParent, newName, entry)
      if (HIDDEN_NAME.test(newName)) this.store.orphans.put(entry.ino, {ino: entry.ino, parent: newParent, name: newName, sinceMs: nowMs})
      const moved = this.store.inodes.getInode(entry.ino)
      this.store.inodes.putInode({...moved, ctimeMs: nowMs, ...(moved.kind === 'dir' ? {parent: newParent} : {})})
      const crossesDirs = entry.kind === 'dir' && parent !== newParent
      this.adjustNlink(parent, crossesDirs ? -1 : 0, nowMs)
      if (newParent !== parent) this.adjustNlink(newParent, crossesDirs ? 1 : 0, nowMs)
    })
  }

  /**
   * renameat2's RENAME_EXCHANGE: `name` in `parent` and `newName` in `newParent` swap, whatever
   * their kinds, in one transaction. A directory cannot be swapped into its own subtree.
   */
  async exchange(parent: number, name: string, newParent: number, newName: string): Promise<void> {
    await this.store.transaction(() => {
      const a = this.lookup(parent, name)
      const b = this.lookup(newParent, newName)
      this.refuseInImageMode(`cannot rename ${name}`, a.ino)
      this.refuseInImageMode(`cannot rename ${newName}`, b.ino)
      if (a.ino === b.ino) return
      if ((a.kind === 'dir' && this.isAncestor(a.ino, newParent)) || (b.kind === 'dir' && this.isAncestor(b.ino, parent))) {
        throw new ShmrError('BAD_ARGUMENT', 'cannot move a directory into itself')
      }
      const nowMs = Date.now()
      this.store.dirents.link(parent, name, b)
      this.store.dirents.link(newParent, newName, a)
      for (const [entry, to] of [[a, newParent], [b, parent]] as const) {
        const moved = this.store.inodes.getInode(entry.ino)
        this.store.inodes.putInode({...moved, ctimeMs: nowMs, ...(moved.kind === 'dir' ? {parent: to} : {})})
      }
      // A directory's link count counts its subdirectories: one moving each way leaves both as they were.
      const subdirsMoved = (a.kind === 'dir' ? 1 : 0) - (b.kind === 'dir' ? 1 : 0)
      this.adjustNlink(parent, parent === newParent ? 0 : -subdirsMoved, nowMs)
      if (newParent !== parent) this.adjustNlink(newParent, subdirsMoved, nowMs)
    })
  }

  /**
   * Reclaims what a crash left behind: entries libfuse hid because their file was open when
   * unlinked, and inodes that lost their last name while open. Run before serving requests.
   */
  async recoverOrphans(): Promise<number> {
    const orphans = this.store.orphans.range(0, Number.MAX_SAFE_INTEGER).map(({value}) => value)
    if (orphans.length === 0) return 0
    await this.changing(() => {
      const nowMs = Date.now()
      for (const orphan of orphans) {
        this.store.orphans.remove(orphan.ino)
        const hidden = orphan.parent !== undefined && orphan.name !== undefined ? this.store.dirents.lookup(orphan.parent, orphan.name) : undefined
        if (hidden?.ino === orphan.ino) {
          this.store.dirents.unlink(orphan.parent!, orphan.name!)
          this.adjustNlink(orphan.parent!, 0, nowMs)
          this.dropLink(orphan.ino, nowMs)
        } else if (this.store.inodes.findInode(orphan.ino)?.nlink === 0) {
          reclaimInode(this.store, this.blocks, orphan.ino, nowMs)
        }
      }
    })
    return orphans.length
  }

  /** A transaction that may delete inodes: tells OpenCounter of each once it ran. */
  private async changing(fn: () => void): Promise<void> {
    const reclaimed: number[] = []
    await this.store.transaction(() => {
      this.reclaimedNow = reclaimed
      try {
        fn()
      } finally {
        this.reclaimedNow = undefined
      }
    })
    for (const ino of reclaimed) this.open.deleted?.(ino)
  }

  private dirInode(ino: number): Inode {
    const inode = this.store.inodes.getInode(ino)
    if (inode.kind !== 'dir') throw new ShmrError('NOT_DIR', `inode ${ino} is not a directory`)
    return inode
  }

  /** True when `ancestor` is `ino` or lies on the path from `ino` up to the root. */
  private isAncestor(ancestor: number, ino: number): boolean {
    for (let current = ino; ; ) {
      if (current === ancestor) return true
      if (current === ROOT_INODE) return false
      current = this.store.inodes.getInode(current).parent ?? ROOT_INODE
    }
  }

  private adjustNlink(dir: number, delta: number, nowMs: number): void {
    const inode = this.store.inodes.getInode(dir)
    this.store.inodes.putInode({...inode, nlink: inode.nlink + delta, mtimeMs: nowMs, ctimeMs: nowMs})
  }

  /** One name of `ino` is gone: drop a link, and the inode with it when none remain and none is open. */
  private dropLink(ino: number, nowMs: number): void {
    const inode = this.store.inodes.getInode(ino)
    const nlink = inode.kind === 'dir' ? 0 : inode.nlink - 1
    if (nlink > 0 || this.open.isOpen(ino)) {
      this.store.inodes.putInode({...inode, nlink, ctimeMs: nowMs})
      // Open but unlinked: reclaimed at its last release, or at the next mount after a crash.
      if (nlink === 0) this.store.orphans.put(ino, {ino, sinceMs: nowMs})
    } else {
      reclaimInode(this.store, this.blocks, ino, nowMs)
      this.reclaimedNow?.push(ino)
    }
  }
}

/** The name libfuse's high-level API gives a file unlinked while open (`.fuse_hidden` + 16 hex digits). */
const HIDDEN_NAME = /^\.fuse_hidden[0-9a-f]{16}$/

/**
 * New inodes belong to the caller, with the directory's group when the directory is set-group-ID
 * (as Linux does). Without a caller, to the directory's owner.
 */
function inheritOwner(dir: Inode, owner: Owner | undefined): Owner {
  if (!owner) return {uid: dir.uid, gid: dir.gid}
  return dir.mode & SET_GROUP_ID ? {uid: owner.uid, gid: dir.gid} : owner
}

/** A directory made in a set-group-ID directory is set-group-ID too. */
function inheritedPermissions(dir: Inode, kind: InodeKind, permissions: number): number {
  return kind === 'dir' && dir.mode & SET_GROUP_ID ? permissions | SET_GROUP_ID : permissions
}

