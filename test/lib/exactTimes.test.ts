import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {fromTimespec, nanosPast, toTimespec} from '../../src/lib/format/exactTimes.js'

describe('times to the nanosecond', () => {
  it('keeps a timespec exact through whole milliseconds and the nanoseconds past them, before 1970 too', () => {
    for (const [seconds, nanoseconds] of [[2147483648, 123456789], [-1, 1], [0, 999999999], [1796415400, 0]] as const) {
      const time = fromTimespec(seconds, nanoseconds)
      assert.ok(Number.isInteger(time.ms) && time.ns >= 0 && time.ns < 1e6)
      assert.deepEqual(toTimespec(time.ms, time.ns), {seconds, nanoseconds})
    }
  })

  it('counts the nanoseconds only while the time is still the one they were set with', () => {
    const set = fromTimespec(2147483648, 123456789)
    assert.equal(nanosPast(set.ms, [set.ms, set.ns]), 456789)
    assert.equal(nanosPast(set.ms + 5000, [set.ms, set.ns]), 0, 'a later write stamped its own time')
    assert.equal(nanosPast(set.ms, undefined), 0)
  })

  it('reads the sub-millisecond fractions older stores kept in the milliseconds', () => {
    assert.deepEqual(toTimespec(1015218367250.5, 0), {seconds: 1015218367, nanoseconds: 250500000})
  })
})
