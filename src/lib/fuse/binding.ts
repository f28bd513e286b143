import {loadFuseNative, type FuseInstance, type FuseOperations, type FuseOptions} from './fuseNative.js'

/** The largest request libfuse 2 lets the kernel send: 32 pages. */
export const MAX_REQUEST_BYTES = 128 * 1024

/**
 * libfuse options fuse-native's constructor does not expose. Without big_writes the kernel sends
 * 4 KiB writes (about 10× slower); use_ino makes st_ino ours, so hard links show as one file to
 * cp -a, rsync -H and tar. libfuse 2 gives every path its own kernel inode, so after `ln a b` the
 * kernel's cached attributes of `a` (its link count) would be stale for attr_timeout: 0 asks us.
 */
const EXTRA_OPTIONS = ['big_writes', `max_write=${MAX_REQUEST_BYTES}`, `max_read=${MAX_REQUEST_BYTES}`, 'use_ino', 'attr_timeout=0']

/** Mounts `operations` at `mountpoint` through fuse-native, resolving once the kernel mount is ready. */
export async function mountFuse(mountpoint: string, operations: FuseOperations, options: FuseOptions): Promise<FuseInstance> {
  const Fuse = loadFuseNative()
  const fuse = new Fuse(mountpoint, operations, options)
  const builtIn = fuse._fuseOptions.bind(fuse)
  // fuse-native builds "-o a,b,c" (or "" for none); shmr's options are appended to that list.
  fuse._fuseOptions = () => {
    const base = builtIn()
    return base ? `${base},${EXTRA_OPTIONS.join(',')}` : `-o${EXTRA_OPTIONS.join(',')}`
  }
  await new Promise<void>((resolve, reject) => fuse.mount((error) => (error ? reject(error) : resolve())))
  return fuse
}
