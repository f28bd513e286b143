import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {Metrics} from '../../src/lib/metrics/metrics.js'
import {parseMetricsText, sampleText} from '../../src/lib/metrics/metricsText.js'

/** The rendered samples, by series name with labels. */
function samples(metrics: Metrics): Map<string, number> {
  return new Map(metrics.render().split('\n').filter((line) => line !== '' && !line.startsWith('#')).map((line) => {
    const at = line.lastIndexOf(' ')
    return [line.slice(0, at), Number(line.slice(at + 1))]
  }))
}

describe('metrics', () => {
  it('counts each operation and its latency apart, in cumulative buckets', () => {
    const metrics = new Metrics()
    metrics.operation('read', 0.0001)
    metrics.operation('read', 0.002)
    metrics.operation('write', 40)
    metrics.operation('read', 0.0001, 5)
    const all = samples(metrics)
    assert.equal(all.get('shmr_operations_total{op="read"}'), 3)
    assert.equal(all.get('shmr_operations_total{op="write"}'), 1)
    assert.equal(all.get('shmr_operation_errors_total{op="read",errno="5"}'), 1)
    // A latency on a bucket's bound falls in that bucket.
    assert.equal(all.get('shmr_operation_duration_seconds_bucket{op="read",le="0.00005"}'), 0)
    assert.equal(all.get('shmr_operation_duration_seconds_bucket{op="read",le="0.0001"}'), 2)
    assert.equal(all.get('shmr_operation_duration_seconds_bucket{op="read",le="0.0025"}'), 3)
    assert.equal(all.get('shmr_operation_duration_seconds_bucket{op="read",le="+Inf"}'), 3)
    assert.ok(Math.abs(all.get('shmr_operation_duration_seconds_sum{op="read"}')! - 0.0022) < 1e-12)
    // Longer than the last bound: only in +Inf.
    assert.equal(all.get('shmr_operation_duration_seconds_bucket{op="write",le="30"}'), 0)
    assert.equal(all.get('shmr_operation_duration_seconds_bucket{op="write",le="+Inf"}'), 1)
    assert.equal(all.get('shmr_operation_duration_seconds_count{op="write"}'), 1)
  })

  it('adds bytes by direction and drive, and cache lookups by result', () => {
    const metrics = new Metrics()
    metrics.transferred('read', 4096)
    metrics.transferred('read', 100)
    metrics.transferred('write', 7)
    metrics.driveIo('read', 'archive', 'smr0', 10)
    metrics.driveIo('read', 'archive', 'smr0', 5)
    metrics.driveIo('write', 'write', 'ssd0', 3)
    metrics.cacheLookup(true)
    metrics.cacheLookup(false)
    metrics.cacheLookup(true)
    metrics.reconstructed()
    const all = samples(metrics)
    assert.equal(all.get('shmr_fuse_bytes_total{direction="read"}'), 4196)
    assert.equal(all.get('shmr_fuse_bytes_total{direction="write"}'), 7)
    assert.equal(all.get('shmr_drive_read_bytes_total{pool="archive",drive="smr0"}'), 15)
    assert.equal(all.get('shmr_drive_written_bytes_total{pool="write",drive="ssd0"}'), 3)
    assert.equal(all.get('shmr_cache_requests_total{result="hit"}'), 2)
    assert.equal(all.get('shmr_cache_requests_total{result="miss"}'), 1)
    assert.equal(all.get('shmr_reconstructions_total'), 1)
  })

  it('escapes quotes, backslashes and newlines in label values', () => {
    const metrics = new Metrics()
    metrics.driveIo('read', 'a"b', 'c\\d\ne', 1)
    assert.equal(samples(metrics).get('shmr_drive_read_bytes_total{pool="a\\"b",drive="c\\\\d\\ne"}'), 1)
  })

  it('reads its own text back as samples: names, labels unescaped, values (inspect overview --json)', () => {
    const metrics = new Metrics()
    metrics.driveIo('read', 'a"b', 'c\\d\ne', 7)
    metrics.operation('write', 0.001)
    const parsed = parseMetricsText(metrics.render())
    assert.deepEqual(parsed.find((sample) => sample.name === 'shmr_drive_read_bytes_total'), {name: 'shmr_drive_read_bytes_total', labels: {pool: 'a"b', drive: 'c\\d\ne'}, value: 7})
    const writes = parsed.find((sample) => sample.name === 'shmr_operations_total' && sample.labels.op === 'write')!
    assert.equal(writes.value, 1)
    assert.equal(sampleText(writes), 'shmr_operations_total{op="write"} 1')
    assert.ok(parsed.every((sample) => !Number.isNaN(sample.value)), "every value is a number")
  })
})
