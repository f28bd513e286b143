import {ShmrError} from '../errors.js'
import {byteNameOf, textOfByteName} from '../format/byteNames.js'
import type {MetaStore} from '../meta/metaStore.js'
import type {Namespace} from './namespace.js'

/** A regular file named on the command line, by inode number or path. */
export interface FileTarget {
  readonly ino: number
  /** As given, or the path below a directory given with --recursive. */
  readonly label: string
}

/**
 * Resolves TARGET arguments: an inode number, or a path inside the filesystem (`/movies/a.mkv`,
 * the leading slash optional). A directory needs `recursive` and stands for every regular file
 * below it. Each file appears once, even if named twice or through hard links.
 */
export function resolveTargets(store: MetaStore, namespace: Namespace, targets: readonly string[], recursive: boolean): FileTarget[] {
  const found = new Map<number, FileTarget>()
  for (const target of targets) {
    const ino = /^\d+$/.test(target) ? Number(target) : namespace.resolve(byteNameOf(target.startsWith('/') ? target : `/${target}`))
    const inode = store.inodes.findInode(ino)
    if (!inode) throw new ShmrError('NOT_FOUND', `${target} does not exist in the filesystem`)
    if (inode.kind === 'file') {
      if (!found.has(ino)) found.set(ino, {ino, label: target})
    } else if (inode.kind === 'dir') {
      if (!recursive) throw new ShmrError('IS_DIR', `${target} is a directory`, {hint: 'add --recursive to take every file below it'})
      for (const file of filesBelow(namespace, ino, /^\d+$/.test(target) ? `#${target}` : target.replace(/\/+$/, ''))) {
        if (!found.has(file.ino)) found.set(file.ino, file)
      }
    }
  }
  return [...found.values()]
}

function* filesBelow(namespace: Namespace, dir: number, label: string): Generator<FileTarget> {
  for (const {name, entry} of namespace.list(dir)) {
    const entryLabel = `${label}/${textOfByteName(name)}`
    if (entry.kind === 'file') yield {ino: entry.ino, label: entryLabel}
    else if (entry.kind === 'dir') yield* filesBelow(namespace, entry.ino, entryLabel)
  }
}
