import {loadFuseNative, type FuseInstance, type FuseOperations, type FuseOptions} from './fuseNative.js'

/**
 * The largest request libfuse 3 lets the kernel send (256 pages, FUSE_MAX_MAX_PAGES): one default
 * block per write, where libfuse 2 stopped at 128 KiB.
 */
export const MAX_REQUEST_BYTES = 1024 * 1024

/**
 * libfuse options fuse-native's constructor does not expose. max_write is a connection option
 * the binding applies at init; use_ino makes st_ino ours, so hard links show as one file to cp -a,
 * rsync -H and tar. libfuse's high-level API gives every path its own kernel inode, so after
 * `ln a b` the kernel's cached attributes of `a` (its link count) would be stale for
 * attr_timeout: 0 asks us. direct_io_write_only (the vendored binding's) opens files opened
 * write-only (cp, dd of=, tar -x) with direct I/O: their writes skip the copy into the mount's
 * page cache, and such a file cannot be mmapped, which direct I/O would forbid. The kernel then
 * leaves dropping setuid and capabilities on write to the server: see ops/write.ts.
 */
const EXTRA_OPTIONS = [`max_write=${MAX_REQUEST_BYTES}`, 'use_ino', 'attr_timeout=0', 'direct_io_write_only']

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
