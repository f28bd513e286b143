/** One sample of the mount's metrics file: `name{label="value",…} number`. */
export interface MetricSample {
  readonly name: string
  readonly labels: Readonly<Record<string, string>>
  readonly value: number
}

const SAMPLE_LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g

/**
 * The samples of Prometheus text (what MetricsWriter writes to METADATA/metrics.prom), for a
 * reader that wants numbers, not lines (`inspect overview --json`). Comments and lines that are
 * not samples are skipped.
 */
export function parseMetricsText(text: string): MetricSample[] {
  const samples: MetricSample[] = []
  for (const line of text.split('\n')) {
    const match = SAMPLE_LINE.exec(line)
    if (!match) continue
    const labels: Record<string, string> = {}
    for (const [, key, value] of (match[2] ?? '').matchAll(LABEL)) labels[key!] = value!.replace(/\\(.)/g, (_, escaped: string) => (escaped === 'n' ? '\n' : escaped))
    samples.push({name: match[1]!, labels, value: Number(match[3])})
  }
  return samples
}

/** A sample as Prometheus writes it, for people. */
export function sampleText(sample: MetricSample): string {
  const labels = Object.entries(sample.labels).map(([key, value]) => `${key}="${value}"`).join(',')
  return `${sample.name}${labels ? `{${labels}}` : ''} ${sample.value}`
}
