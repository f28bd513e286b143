import {byteNameOf} from '../format/byteNames.js'
import type {MetaStore} from './metaStore.js'

/**
 * MIGRATIONS[v] upgrades a store from format v to v + 1 inside the opening transaction.
 * Format 1 is the first; add an entry (and a fixture test) with every FORMAT_VERSION bump.
 */
export const MIGRATIONS: Readonly<Record<number, (store: MetaStore) => void>> = {
  1: storeByteNames,
  // Format 3 adds inode kinds (device nodes, sockets) and their `rdev`: nothing of format 2
  // changes; the version keeps a shmr that knows only format 2 from opening a store holding them.
  2: () => {},
  // Format 4 adds chunk checksums to block records (ShardLocation.chunkCrcs). Blocks of format 3
  // keep their whole-file checksum and are read whole; each block written from now on has them.
  3: () => {},
  // Format 5 keeps snapshots of the store on the drives (recovery/driveSnapshots.ts): nothing in
  // the store changes; the first snapshot is written at the next unmount or migration, and the
  // version keeps a shmr that does not write them from leaving them stale.
  4: () => {},
  // Format 6 puts a block's files in the fan-out directory of its file's group (a block record's
  // `groupedFanout`, format/fanout.ts). Blocks of format 5 stay where they are and are read there;
  // each block written from now on is placed by group.
  5: () => {},
  // Format 7 writes table values as plain msgpack maps (metaStore.ts, tableOptions). Values of
  // format 6 are msgpackr records, read as they are; each value written from now on is a map.
  6: () => {},
}

/** Every key from the smallest to past the largest inode number. */
const ALL_INODES: [number, number] = [0, Number.MAX_SAFE_INTEGER]

/**
 * Format 1 kept names, symlink targets and xattr names as the binding decoded them from UTF-8
 * (bytes that were not UTF-8 became U+FFFD); format 2 keeps their bytes (format/byteNames.ts).
 * What format 1 held was valid text, so its bytes are its UTF-8 encoding; ASCII is the same in
 * both and is left alone.
 */
function storeByteNames(store: MetaStore): void {
  const changed = (text: string): boolean => /[^\0-\x7f]/.test(text)
  for (const {key: [parent, name], value} of store.dirents.range([ALL_INODES[0], ''], [ALL_INODES[1], ''])) {
    if (!changed(name)) continue
    store.dirents.unlink(parent, name)
    store.dirents.link(parent, byteNameOf(name), value)
  }
  for (const {value: inode} of store.inodes.range(ALL_INODES[0], ALL_INODES[1])) {
    if (inode.target !== undefined && changed(inode.target)) store.inodes.putInode({...inode, target: byteNameOf(inode.target)})
  }
  for (const {key: [ino, name], value} of store.xattrs.range([ALL_INODES[0], ''], [ALL_INODES[1], ''])) {
    if (!changed(name)) continue
    store.xattrs.remove([ino, name])
    store.xattrs.put([ino, byteNameOf(name)], value)
  }
  for (const {value: orphan} of store.orphans.range(ALL_INODES[0], ALL_INODES[1])) {
    if (orphan.name !== undefined && changed(orphan.name)) store.orphans.put(orphan.ino, {...orphan, name: byteNameOf(orphan.name)})
  }
}
