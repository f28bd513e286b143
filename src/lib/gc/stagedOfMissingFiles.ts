import type {MetaStore} from '../meta/metaStore.js'

/**
 * Inodes with blocks staged by a shift or rewrite that is not running, but that are no longer
 * files: deleted before the run was finished. Deleting a file drops its staged blocks now; these
 * are what earlier builds left behind, kept for good (gc drops them).
 */
export function stagedOfMissingFiles(store: MetaStore): number[] {
  return store.staged.inodes().filter((ino) => store.inodes.findInode(ino)?.kind !== 'file')
}
