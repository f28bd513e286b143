import {ShmrError} from '../errors.js'
import type {Inode} from './records.js'
import {Table} from './table.js'

/** Inodes by number. `findInode` returns undefined for a missing inode, `getInode` throws NOT_FOUND. */
export class InodeTable extends Table<number, Inode> {
  findInode(ino: number): Inode | undefined {
    return this.find(ino)
  }

  getInode(ino: number): Inode {
    const inode = this.find(ino)
    if (!inode) throw new ShmrError('NOT_FOUND', `inode ${ino} does not exist`)
    return inode
  }

  putInode(inode: Inode): void {
    this.put(inode.ino, inode)
  }

  /** Every inode in number order (for maintenance commands; not for the serving path). */
  *all(): Generator<Inode> {
    // Streamed from LMDB unless writes are deferred (a scan of millions of inodes offline).
    for (const {value} of this.deferred ? this.entries() : this.db.getRange({})) yield value
  }
}
