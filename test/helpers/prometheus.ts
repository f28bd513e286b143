import assert from 'node:assert/strict'

/** Parses Prometheus text exposition strictly enough to fail on a malformed line. */
export function parsePrometheus(text: string): Map<string, number> {
  const samples = new Map<string, number>()
  for (const line of text.split('\n')) {
    if (line === '' || /^# (HELP|TYPE) [a-z_]+ /.test(line)) continue
    const match = /^([a-z_]+)(\{[a-z_]+="[^"]*"(?:,[a-z_]+="[^"]*")*\})? (-?[\d.e+-]+|\+Inf)$/.exec(line)
    assert.ok(match, `not Prometheus text: ${line}`)
    samples.set(`${match[1]}${match[2] ?? ''}`, Number(match[3]))
  }
  return samples
}
