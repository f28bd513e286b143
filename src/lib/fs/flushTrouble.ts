import type {Log} from '../log.js'
import {isShmrError, systemErrorCode} from '../errors.js'
import {retryDelayMs} from '../retryBackoff.js'
import type {CachedBlock} from './blockCache.js'

interface Failing {
  readonly failures: number
  readonly noSpace: boolean
}

/**
 * Blocks whose flush failed, until they are written or dropped: when each may be retried, whether
 * one waits for room, and one log line when trouble starts and one when it is over. (Before,
 * every failed flush logged a line and was retried at once: 15,000 lines a second into the
 * metadata directory with the write pool full.)
 */
export class FlushTrouble {
  private readonly failing = new Map<CachedBlock, Failing>()
  private noSpaceBlocks = 0
  /** Of the blocks that failed in this episode: written since, and dropped with their files. */
  private written = 0
  private droppedCount = 0

  constructor(private readonly log: Log) {}

  /**
   * True while a block waits to be written because there was no room (on the write pool, or for
   * its record on the metadata disk): new writes then answer ENOSPC at once instead of filling
   * memory with data that cannot go anywhere.
   */
  get waitingForRoom(): boolean {
    return this.noSpaceBlocks > 0
  }

  failed(block: CachedBlock, error: unknown, nowMs: number): void {
    const noSpace = isShmrError(error, 'NO_SPACE') || systemErrorCode(error) === 'ENOSPC'
    if (this.failing.size === 0) {
      this.log(noSpace
        ? `no room to write blocks out (${(error as Error).message}): they wait in memory and are retried; writes answer ENOSPC until there is room`
        : `blocks cannot be written out (${(error as Error).message}): retrying`, 'warning')
    }
    const failures = (this.remove(block)?.failures ?? 0) + 1
    this.failing.set(block, {failures, noSpace})
    if (noSpace) this.noSpaceBlocks++
    block.flushRetryAtMs = nowMs + retryDelayMs(failures)
  }

  /** The block was written out. */
  succeeded(block: CachedBlock): void {
    if (!this.remove(block)) return
    this.written++
    this.endEpisodeIfOver()
  }

  /** The block's data is no longer wanted (its file was deleted or cut short). */
  dropped(block: CachedBlock): void {
    if (!this.remove(block)) return
    this.droppedCount++
    this.endEpisodeIfOver()
  }

  private remove(block: CachedBlock): Failing | undefined {
    const entry = this.failing.get(block)
    if (!entry) return undefined
    this.failing.delete(block)
    if (entry.noSpace) this.noSpaceBlocks--
    block.flushRetryAtMs = 0
    return entry
  }

  private endEpisodeIfOver(): void {
    if (this.failing.size > 0) return
    this.log(`no block waits to be written any more: ${this.written} written after failing, ${this.droppedCount} dropped with their files`)
    this.written = 0
    this.droppedCount = 0
  }
}
