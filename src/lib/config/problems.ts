import {isShmrError} from '../errors.js'

/**
 * What a directory of the config is for: an exclusive one (a drive, the metadata) may not be
 * shared; the mount point may be a dead mount of this filesystem's, which `mount` clears.
 */
export type DirectoryUse = 'exclusive' | 'mountpoint'

/** Collects one line per config problem, each prefixed with where it is (`pools[1].blockSize`). */
export class Problems {
  readonly lines: string[] = []
  /** Directories named by the config, checked once parsing is done. */
  readonly directories: Array<{where: string; dir: string; use: DirectoryUse}> = []

  /** Records a directory for checking and returns it. */
  directory(where: string, dir: string, use: DirectoryUse): string {
    this.directories.push({where, dir, use})
    return dir
  }

  add(where: string, message: string): void {
    this.lines.push(where ? `${where}: ${message}` : message)
  }

  /** Runs `parse`, recording a ShmrError as a problem at `where`; other errors propagate. */
  attempt<T>(where: string, parse: () => T): T | undefined {
    try {
      return parse()
    } catch (error) {
      if (!isShmrError(error)) throw error
      this.add(where, error.hint ? `${error.message} (${error.hint})` : error.message)
      return undefined
    }
  }

  /** Records every key of `raw` not in `known`. */
  unknownKeys(where: string, raw: Record<string, unknown>, known: readonly string[]): void {
    for (const key of Object.keys(raw)) {
      if (!known.includes(key)) this.add(where ? `${where}.${key}` : key, `unknown key (known keys: ${known.join(', ')})`)
    }
  }
}
