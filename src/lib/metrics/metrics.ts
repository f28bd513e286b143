/** Upper bounds (seconds) of the latency histogram buckets: 50 µs to 30 s (a sleeping SMR drive). */
const LATENCY_BUCKETS = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]

type Labels = Readonly<Record<string, string>>

/** Reads and writes served through a mount, and their bytes. */
export interface Served {
  readonly bytes: number
  readonly requests: number
}

/** One labelled series of a counter. Hot paths keep it: its labels' text is then built once, not per update. */
interface CounterSeries { value: number }

class Counter {
  private readonly values = new Map<string, {labels: Labels; value: number}>()
  constructor(readonly name: string, readonly help: string) {}

  series(labels: Labels): CounterSeries {
    return memo(this.values, labelText(labels), () => ({labels, value: 0}))
  }

  add(labels: Labels, amount = 1): void {
    this.series(labels).value += amount
  }

  render(): string[] {
    return [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`,
      ...[...this.values.values()].map(({labels, value}) => `${this.name}${labelText(labels)} ${value}`)]
  }
}

class HistogramSeries {
  readonly counts = LATENCY_BUCKETS.map(() => 0)
  sum = 0
  count = 0
  constructor(readonly labels: Labels) {}

  observe(seconds: number): void {
    let bucket = 0
    while (bucket < LATENCY_BUCKETS.length && seconds > LATENCY_BUCKETS[bucket]!) bucket++
    if (bucket < LATENCY_BUCKETS.length) this.counts[bucket]!++
    this.sum += seconds
    this.count++
  }
}

class Histogram {
  private readonly series = new Map<string, HistogramSeries>()
  constructor(readonly name: string, readonly help: string) {}

  seriesOf(labels: Labels): HistogramSeries {
    return memo(this.series, labelText(labels), () => new HistogramSeries(labels))
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

/** `map`'s value for `key`, made by `create` the first time. */
function memo<K, V>(map: Map<K, V>, key: K, create: (key: K) => V): V {
  let value = map.get(key)
  if (value === undefined) map.set(key, (value = create(key)))
  return value
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
  private readonly directReadCount = new Counter('shmr_direct_reads_total', 'Reads the FUSE binding answered on its own, not counted in shmr_operations_total.')
  private readonly cachedDirectReadCount = new Counter('shmr_direct_reads_cached_total', 'Of shmr_direct_reads_total, those answered from the page cache on the serving thread.')
  private readonly served = {bytes: 0, requests: 0}
  /** Figures kept elsewhere (the binding's own reads), brought in before each render. */
  private readonly gatherers: Array<() => void> = []

  // The series every request updates, by their one varying label. Looked up by it alone, and
  // made by functions created once: a request builds no label text and allocates nothing here.
  private readonly byOperation = new Map<string, {count: CounterSeries; latency: HistogramSeries}>()
  private readonly operationSeries = (op: string): {count: CounterSeries; latency: HistogramSeries} =>
    ({count: this.operations.series({op}), latency: this.latency.seriesOf({op})})
  private readonly byDirection = new Map<string, CounterSeries>()
  private readonly directionSeries = (direction: string): CounterSeries => this.fuseBytes.series({direction})
  private readonly byResult = new Map<string, CounterSeries>()
  private readonly resultSeries = (result: string): CounterSeries => this.cache.series({result})

  operation(op: string, seconds: number, errno?: number): void {
    const series = memo(this.byOperation, op, this.operationSeries)
    series.count.value++
    series.latency.observe(seconds)
    if (errno !== undefined) this.errors.add({op, errno: String(errno)})
  }

  transferred(direction: 'read' | 'write', bytes: number): void {
    this.transferredBy(direction, bytes, 1)
  }

  private transferredBy(direction: 'read' | 'write', bytes: number, requests: number): void {
    memo(this.byDirection, direction, this.directionSeries).value += bytes
    this.served.bytes += bytes
    this.served.requests += requests
  }

  /** Reads and writes served through the mount so far, and their bytes (the binding's own reads as of their last tally). */
  servedSoFar(): Served {
    return {...this.served}
  }

  driveIo(direction: 'read' | 'write', pool: string, drive: string, bytes: number): void {
    (direction === 'read' ? this.driveRead : this.driveWritten).add({pool, drive}, bytes)
  }

  reconstructed(): void {
    this.reconstructions.add({})
  }

  cacheLookup(hit: boolean): void {
    memo(this.byResult, hit ? 'hit' : 'miss', this.resultSeries).value++
  }

  /** The binding answered `count` reads of `bytes` on its own, `cached` of them from the page cache. */
  directReads(count: number, bytes: number, cached: number): void {
    this.directReadCount.add({}, count)
    this.cachedDirectReadCount.add({}, cached)
    this.transferredBy('read', bytes, count)
  }

  /** `gather` runs before each render, to bring figures kept elsewhere in. */
  gatherBeforeRender(gather: () => void): void {
    this.gatherers.push(gather)
  }

  render(): string {
    for (const gather of this.gatherers) gather()
    const all = [this.operations, this.errors, this.latency, this.fuseBytes, this.driveRead, this.driveWritten, this.reconstructions, this.cache, this.directReadCount, this.cachedDirectReadCount]
    return `${all.flatMap((metric) => metric.render()).join('\n')}\n`
  }
}
