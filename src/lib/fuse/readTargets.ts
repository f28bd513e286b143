/**
 * The sizes targets come in, each with how many spares are kept: the kernel's window for a small
 * file (128 KiB), and its largest read (FUSE_MAX_MAX_PAGES pages). Spares of the large size are
 * few: each is a megabyte of resident memory once used, beside the cache.
 */
const SIZES = [{bytes: 128 * 1024, spares: 16}, {bytes: 1024 * 1024, spares: 4}] as const

/**
 * Buffers that a read's bytes are copied into for its reply (which copies them again, before it
 * returns), reused. A fresh Buffer per read (128 KiB for a small file's, the kernel's window)
 * was a new ArrayBuffer each time, which V8 counts as external memory: reading a tree of 20,000
 * small files set off one major collection after another.
 */
export class ReadTargets {
  private readonly spares: Buffer[][] = SIZES.map(() => [])

  /** A buffer of at least `size` bytes, contents unspecified, to give back once replied. */
  take(size: number): Buffer {
    const kind = SIZES.findIndex((candidate) => size <= candidate.bytes)
    if (kind < 0) return Buffer.allocUnsafeSlow(size)
    return this.spares[kind]!.pop() ?? Buffer.allocUnsafeSlow(SIZES[kind]!.bytes)
  }

  give(buffer: Buffer): void {
    const kind = SIZES.findIndex((candidate) => buffer.length === candidate.bytes)
    if (kind >= 0 && this.spares[kind]!.length < SIZES[kind]!.spares) this.spares[kind]!.push(buffer)
  }
}
