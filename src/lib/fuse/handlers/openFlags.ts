import {openMode} from '../../fs/openFlags.js'
import {OPEN_DIRECT_IO} from '../opcodes.js'

/**
 * How a file is opened for the kernel: write-only opens (cp, dd of=, tar -x) with direct I/O, so
 * their writes go from the writer's pages straight into the request instead of through the
 * mount's page cache first; such a file cannot be mmapped, which direct I/O would forbid. The
 * kernel then leaves dropping setuid and capabilities on write to shmr (see write.ts).
 */
export function replyOpenFlags(flags: number): number {
  return openMode(flags).writeOnly ? OPEN_DIRECT_IO : 0
}
