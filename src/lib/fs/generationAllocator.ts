import type {MetaStore} from '../meta/metaStore.js'

/**
 * Hands out block generations from ranges reserved in the metadata store, so flushing a block
 * does not cost an extra transaction. A crash skips the rest of a range: generations only need
 * to be unique and increasing, not dense.
 */
export class GenerationAllocator {
  private next = 0
  private end = 0
  private refill: Promise<void> | undefined

  constructor(private readonly store: MetaStore, private readonly batch = 4096) {}

  async take(): Promise<number> {
    while (this.next >= this.end) {
      this.refill ??= this.reserve().finally(() => { this.refill = undefined })
      await this.refill
    }
    return this.next++
  }

  private async reserve(): Promise<void> {
    // Durable before any is used: a generation is never handed out twice, even after a crash.
    const first = await this.store.transaction(() => this.store.counters.take('nextGeneration', this.batch), {durable: true})
    this.next = first
    this.end = first + this.batch
  }
}
