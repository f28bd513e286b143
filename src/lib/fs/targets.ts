import path from 'node:path'
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
 * The inode a TARGET argument names: an inode number, a path inside the filesystem
 * (`/movies/a.mkv`, the leading slash optional), or the same path through the mount point
 * (`/mnt/archive/movies/a.mkv` with `mountpoint: /mnt/archive`), which a user copies from a
 * shell. A path under the mount point that does not exist there is tried as a path inside; when
 * neither exists, the error is the one about the path through the mount point.
 */
export function inoOfTarget(namespace: Namespace, target: string, mountpoint: string): number {
  if (/^\d+$/.test(target)) return Number(target)
  const inside = target.startsWith('/') ? target : `/${target}`
  const mount = path.resolve(mountpoint)
  const throughMount = inside === mount ? '/' : inside.startsWith(`${mount}/`) ? inside.slice(mount.length) : undefined
  if (throughMount === undefined) return namespace.resolve(byteNameOf(inside))
  try {
    return namespace.resolve(byteNameOf(throughMount))
  } catch (error) {
    if (!(error instanceof ShmrError && error.code === 'NOT_FOUND')) throw error
    try {
      return namespace.resolve(byteNameOf(inside))
    } catch {
      throw error
    }
  }
}

/**
 * Resolves TARGET arguments (see inoOfTarget). A directory needs `recursive` and stands for every
 * regular file below it. Each file appears once, even if named twice or through hard links.
 */
export function resolveTargets(store: MetaStore, namespace: Namespace, targets: readonly string[], recursive: boolean, mountpoint: string): FileTarget[] {
  const found = new Map<number, FileTarget>()
  for (const target of targets) {
    const ino = inoOfTarget(namespace, target, mountpoint)
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
