/**
 * Marks past this many files written past their pages (see PageCache), shmr stops letting the
 * kernel keep any file's pages across opens for the rest of the mount instead of remembering more.
 */
const MAX_MARKED_FILES = 100_000

/**
 * Whether the kernel may keep a file's pages across opens (FOPEN_KEEP_CACHE), so that reading a
 * file again never reaches shmr. Every change to a file's bytes goes through the kernel, which
 * keeps its pages up to date. The exception is a write through a direct-I/O open (write-only opens,
 * handlers/openFlags.ts), which goes past them. The next open of a file written that way drops its
 * pages, as every open did before; any other open keeps them.
 */
export class PageCache {
  private readonly writtenPast = new Set<number>()
  private keepsNothing = false

  /** A write went past the kernel's pages of `ino`. */
  wrotePast(ino: number): void {
    if (this.keepsNothing) return
    this.writtenPast.add(ino)
    if (this.writtenPast.size <= MAX_MARKED_FILES) return
    this.keepsNothing = true
    this.writtenPast.clear()
  }

  /** At an open of `ino`: whether its pages may stay. The open that drops them clears the mark. */
  keepsPagesAtOpen(ino: number): boolean {
    return !this.writtenPast.delete(ino) && !this.keepsNothing
  }
}
