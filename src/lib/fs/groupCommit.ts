/**
 * Group commit: items submitted while a batch is being made durable wait and go together in the
 * next batch. Each batch is first made durable as a whole (one round of parallel fsyncs), then
 * every item's commit is started in the same event turn, which lmdb-js folds into one LMDB
 * transaction (each item a child transaction, failing alone). So N blocks cost one metadata
 * commit instead of N, without ever committing a record before its data is on disk.
 */
export class GroupCommit<T> {
  private readonly queue: Array<{item: T; resolve: () => void; reject: (error: unknown) => void}> = []
  private running = false

  constructor(
    private readonly makeDurable: (items: T[]) => Promise<void>,
    private readonly commit: (item: T) => Promise<void>,
    private readonly maxBatch = 64,
  ) {}

  /** Resolves once `item` is durable and committed. */
  submit(item: T): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({item, resolve, reject})
      void this.run()
    })
  }

  private async run(): Promise<void> {
    if (this.running) return
    this.running = true
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.maxBatch)
        try {
          await this.makeDurable(batch.map((entry) => entry.item))
        } catch (error) {
          for (const entry of batch) entry.reject(error)
          continue
        }
        const results = await Promise.allSettled(batch.map((entry) => this.commit(entry.item)))
        results.forEach((result, i) => (result.status === 'fulfilled' ? batch[i]!.resolve() : batch[i]!.reject(result.reason)))
      }
    } finally {
      this.running = false
    }
  }
}
