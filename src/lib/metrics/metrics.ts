/** Upper bounds (seconds) of the latency histogram buckets: 50 µs to 30 s (a sleeping SMR drive). */
const LATENCY_BUCKETS = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]

type Labels = Readonly<Record<string, string>>

class Counter {
  private readonly values = new Map<string, {labels: Labels; value: number}>()
  constructor(readonly name: string, readonly help: string) {}

  add(labels: Labels, amount = 1): void {
    const key = labelText(labels)
    const entry = this.values.get(key)
    if (entry) entry.value += amount
    else this.values.set(key, {labels, value: amount})
  }

  render(): string[] {
    return [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`,
      ...[...this.values.values()].map(({labels, value}) => `${this.name}${labelText(labels)} ${value}`)]
  }
}

class Histogram {
  private readonly series = new Map<string, {labels: Labels; counts: number[]; sum: number; count: number}>()
  constructor(readonly name: string, readonly help: string) {}

  observe(labels: Labels, seconds: number): void {
    const key = labelText(labels)
    let entry = this.series.get(key)
    if (!entry) this.series.set(key, (entry = {labels, counts: LATENCY_BUCKETS.map(() => 0), sum: 0, count: 0}))
    const bucket = LATENCY_BUCKETS.findIndex((bound) => seconds <= bound)
    if (bucket >= 0) entry.counts[bucket]!++
    entry.sum += seconds
    entry.count++
  }

  render(): string[] {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`]
    for (const {labels, counts, sum, count} of this.series.values()) {
      let cumulative = 0
      LATENCY_BUCKETS.forEach((bound, i) => {
        cumulative += counts[i]!
        lines.push(`${this.name}_bucket${labelText({...labels, le: String(bound)})} ${cumulative}`)
      })
      lines.push(`${this.name}_bucket${labelText({...labels, le: '+Inf'})} ${count}`)
      lines.push(`${this.name}_sum${labelText(labels)} ${sum}`, `${this.name}_count${labelText(labels)} ${count}`)
    }
    return lines
  }
}

function labelText(labels: Labels): string {
  const entries = Object.entries(labels)
  return entries.length === 0 ? '' : `{${entries.map(([key, value]) => `${key}="${value.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`))}"`).join(',')}}`
}

/**
 * The mount's live figures: operations by type (count, errors, latency), bytes through FUSE and
 * to and from each drive, reconstructions, cache hits and misses. Rendered in the Prometheus text
 * exposition format, so node_exporter's textfile collector (or cat) can read the file.
 */
export class Metrics {
  private readonly operations = new Counter('shmr_operations_total', 'FUSE operations served, by operation.')
  private readonly errors = new Counter('shmr_operation_errors_total', 'FUSE operations that failed, by operation and errno.')
  private readonly latency = new Histogram('shmr_operation_duration_seconds', 'Time to serve a FUSE operation, by operation.')
  private readonly fuseBytes = new Counter('shmr_fuse_bytes_total', 'Bytes read and written through the mount.')
  private readonly driveRead = new Counter('shmr_drive_read_bytes_total', 'Bytes of block and shard files read, by pool and drive.')
  private readonly driveWritten = new Counter('shmr_drive_written_bytes_total', 'Bytes of block and shard files written, by pool and drive.')
  private readonly reconstructions = new Counter('shmr_reconstructions_total', 'Blocks rebuilt from parity or another copy on read.')
  private readonly cache = new Counter('shmr_cache_requests_total', 'Block lookups for reads, by result (hit or miss).')

  operation(op: string, seconds: number, errno?: number): void {
    this.operations.add({op})
    this.latency.observe({op}, seconds)
    if (errno !== undefined) this.errors.add({op, errno: String(errno)})
  }

  transferred(direction: 'read' | 'write', bytes: number): void {
    this.fuseBytes.add({direction}, bytes)
  }

  driveIo(direction: 'read' | 'write', pool: string, drive: string, bytes: number): void {
    (direction === 'read' ? this.driveRead : this.driveWritten).add({pool, drive}, bytes)
  }

  reconstructed(): void {
    this.reconstructions.add({})
  }

  cacheLookup(hit: boolean): void {
    this.cache.add({result: hit ? 'hit' : 'miss'})
  }

  render(): string {
    const all = [this.operations, this.errors, this.latency, this.fuseBytes, this.driveRead, this.driveWritten, this.reconstructions, this.cache]
    return `${all.flatMap((metric) => metric.render()).join('\n')}\n`
  }
}
