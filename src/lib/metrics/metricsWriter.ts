import {replaceFile} from '../pools/durableFile.js'
import type {Metrics} from './metrics.js'

/** How often the metrics file is rewritten while mounted. */
export const METRICS_INTERVAL_MS = 5000

/**
 * Writes the metrics to a file every few seconds, replacing it atomically, so a reader (cat,
 * node_exporter's textfile collector) never sees half a file.
 */
export class MetricsWriter {
  private lastWrittenMs = 0

  constructor(private readonly metrics: Metrics, private readonly file: string) {}

  async writeIfDue(): Promise<void> {
    if (Date.now() - this.lastWrittenMs >= METRICS_INTERVAL_MS) await this.write()
  }

  async write(): Promise<void> {
    this.lastWrittenMs = Date.now()
    await replaceFile(this.file, Buffer.from(this.metrics.render()))
  }
}
