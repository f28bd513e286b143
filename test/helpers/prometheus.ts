import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'

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

/** The figures a stopped server wrote to its metadata directory (metrics.prom). */
export function stoppedServerFigures(metadataDir: string): Map<string, number> {
  return parsePrometheus(fs.readFileSync(path.join(metadataDir, 'metrics.prom'), 'utf8'))
}

/** Bytes of block and shard files read, over every pool and drive. */
export function driveReadBytes(samples: Map<string, number>): number {
  return [...samples].filter(([name]) => name.startsWith('shmr_drive_read_bytes_total{')).reduce((sum, [, value]) => sum + value, 0)
}
