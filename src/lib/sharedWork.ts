/**
 * Work done once while it runs: callers that ask for the same key meanwhile share its promise.
 * Many small files' blocks are written out at once, and each asks for its fan-out directory and
 * its drive's free space: one mkdir and one statfs serve them all (5,000 of each did, on the
 * serving thread, when the figure kept expired or the directory was new).
 */
export class SharedWork<K, V> {
  private readonly running = new Map<K, Promise<V>>()

  run(key: K, work: () => Promise<V>): Promise<V> {
    let running = this.running.get(key)
    if (!running) {
      running = work().finally(() => this.running.delete(key))
      this.running.set(key, running)
    }
    return running
  }
}
