import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {erasure} from '../../src/lib/blocks/topology.js'
import {forecastFill} from '../../src/lib/pools/fillForecast.js'
import {PLACEMENT_POLICIES} from '../../src/lib/pools/policies/index.js'
import {usableBytes} from '../../src/lib/pools/usableSpace.js'

const MiB = 1024 * 1024
const drives = (sizes: readonly number[]): Array<{id: number; totalBytes: number; freeBytes: number}> =>
  sizes.map((size, id) => ({id, totalBytes: size * MiB, freeBytes: size * MiB}))

describe('forecastFill', () => {
  it('equal drives fill together, after exactly the usable space, under either policy', () => {
    for (const policy of Object.values(PLACEMENT_POLICIES)) {
      const forecast = forecastFill(policy, drives([60, 60, 60, 60, 60, 60]), erasure(4, 2), 4 * MiB)
      assert.equal(forecast.beforeADriveFillsBytes, 240 * MiB, policy.name)
      assert.equal(forecast.beforeADriveFillsBytes, usableBytes(erasure(4, 2), Array(6).fill(60 * MiB)))
      assert.deepEqual([...forecast.fullAfterBytes.values()], Array(6).fill(240 * MiB), policy.name)
    }
  })

  it('mostFree pairs a big drive with the small ones until they fill; the big one need not fill', () => {
    const paired = forecastFill(PLACEMENT_POLICIES.mostFree!, drives([10, 10, 20]), erasure(1, 1), MiB)
    // Blocks take the 20 and, in turn, the emptier 10 (ties by id): the first 10 is full after 19
    // blocks, the other two after the 20th.
    assert.equal(paired.beforeADriveFillsBytes, 19 * MiB)
    assert.deepEqual([...paired.fullAfterBytes.entries()].sort(), [[0, 19 * MiB], [1, 20 * MiB], [2, 20 * MiB]])
    const oversized = forecastFill(PLACEMENT_POLICIES.mostFree!, drives([10, 10, 40]), erasure(1, 1), MiB)
    assert.equal(oversized.beforeADriveFillsBytes, 19 * MiB, 'the two small drives take one shard of every block')
    assert.deepEqual([...oversized.fullAfterBytes.keys()].sort(), [0, 1], 'the big drive never fills: nothing pairs with it')
  })

  it('leastUsedFraction fills the small drives first: a drive fills before the usable space is used', () => {
    const forecast = forecastFill(PLACEMENT_POLICIES.leastUsedFraction!, drives([10, 10, 20]), erasure(1, 1), MiB)
    assert.ok(forecast.beforeADriveFillsBytes <= 20 * MiB)
    assert.ok(forecast.fullAfterBytes.size >= 1)
  })

  it('places a batch at a time when much fits, staying within a batch of the block-by-block figure', () => {
    const huge = forecastFill(PLACEMENT_POLICIES.mostFree!, drives(Array(6).fill(4 * 1024 * 1024)), erasure(4, 2), MiB)
    const exact = 4 * 4 * 1024 * 1024 * MiB
    assert.ok(Math.abs(huge.beforeADriveFillsBytes - exact) <= exact / 20_000 + MiB, `${huge.beforeADriveFillsBytes} vs ${exact}`)
  })
})
