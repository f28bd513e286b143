/** The largest read the kernel sends (FUSE_MAX_MAX_PAGES pages): every target is this long. */
const TARGET_BYTES = 1024 * 1024
/** Spare targets kept: as many reads as are usually in flight at once (the kernel's read-ahead). */
const MAX_SPARES = 16

/**
 * Buffers that a read's bytes are copied into for its reply (which copies them again, before it
 * returns), reused. A fresh Buffer per read (128 KiB for a small file's, the kernel's window)
 * was a new ArrayBuffer each time, which V8 counts as external memory: reading a tree of 20,000
 * small files set off one major collection after another.
 */
export class ReadTargets {
  private readonly spares: Buffer[] = []

  /** A buffer of at least `size` bytes, contents unspecified, to give back once replied. */
  take(size: number): Buffer {
    if (size > TARGET_BYTES) return Buffer.allocUnsafeSlow(size)
    return this.spares.pop() ?? Buffer.allocUnsafeSlow(TARGET_BYTES)
  }

  give(buffer: Buffer): void {
    if (buffer.length === TARGET_BYTES && this.spares.length < MAX_SPARES) this.spares.push(buffer)
  }
}
