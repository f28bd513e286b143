import {ROOT_INODE} from '../format/constants.js'
import type {StoreDump} from '../meta/metaStore.js'
import type {BlockRecord, Dirent, Inode} from '../meta/records.js'

/** A block record with its position in its file. */
export interface IndexedBlock {
  readonly index: number
  readonly record: BlockRecord
}

/**
 * A snapshot's namespace read as a tree: inodes, each directory's entries, xattrs and block maps
 * by inode, and every path of each inode (a hard-linked file has several). Names are byte names
 * (format/byteNames.ts), paths `/`-joined from the root.
 */
export class SnapshotTree {
  readonly inodes = new Map<number, Inode>()
  readonly entries = new Map<number, Array<{name: string; entry: Dirent}>>()
  readonly xattrs = new Map<number, Array<{name: string; value: Buffer}>>()
  readonly blocks = new Map<number, IndexedBlock[]>()
  /** Every path of each inode the root reaches, in the order a walk from the root meets them. */
  readonly paths = new Map<number, string[]>()

  constructor(dump: StoreDump) {
    for (const {value} of dump.tables.inodes) {
      const inode = value as Inode
      this.inodes.set(inode.ino, inode)
    }
    for (const {key, value} of dump.tables.dirents) {
      const [parent, name] = key as [number, string]
      pushTo(this.entries, parent, {name, entry: value as Dirent})
    }
    for (const {key, value} of dump.tables.xattrs) {
      const [ino, name] = key as [number, string]
      pushTo(this.xattrs, ino, {name, value: value as Buffer})
    }
    for (const {key, value} of dump.tables.blockMaps) {
      const [ino, index] = key as [number, number]
      pushTo(this.blocks, ino, {index, record: value as BlockRecord})
    }
    this.walk()
  }

  /** Breadth-first from the root, so a directory's path is known before its entries'. */
  private walk(): void {
    this.paths.set(ROOT_INODE, ['/'])
    const queue: Array<{ino: number; path: string}> = [{ino: ROOT_INODE, path: ''}]
    for (let next = queue.shift(); next; next = queue.shift()) {
      for (const {name, entry} of this.entries.get(next.ino) ?? []) {
        const childPath = `${next.path}/${name}`
        const known = this.paths.get(entry.ino)
        if (known && entry.kind === 'dir') continue // a directory has one name; a second is damage, not a loop to follow
        if (known) known.push(childPath)
        else this.paths.set(entry.ino, [childPath])
        if (entry.kind === 'dir') queue.push({ino: entry.ino, path: childPath})
      }
    }
  }

  /** The first path of an inode, for reports (`#<ino>` when nothing reaches it). */
  pathOf(ino: number): string {
    return this.paths.get(ino)?.[0] ?? `#${ino}`
  }
}

function pushTo<T>(map: Map<number, T[]>, key: number, value: T): void {
  const list = map.get(key)
  if (list) list.push(value)
  else map.set(key, [value])
}
