import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {allSettledInFlight} from '../../src/lib/allSettledInFlight.js'

describe('settling work a few at a time', () => {
  it('runs every item, never more than asked at once, and gives results in the items\' order', async () => {
    let running = 0
    let most = 0
    const items = Array.from({length: 50}, (_, i) => i)
    const results = await allSettledInFlight(items, 4, async (item) => {
      most = Math.max(most, ++running)
      // Items finish out of their order: the results must still follow the items.
      await new Promise((resolve) => setTimeout(resolve, (50 - item) % 7))
      running--
      return item * 2
    })
    assert.equal(most, 4)
    assert.deepEqual(results, items.map((item) => ({status: 'fulfilled', value: item * 2})))
  })

  it('settles a failure, thrown or rejected, without keeping the other items from running', async () => {
    const ran: number[] = []
    const results = await allSettledInFlight([1, 2, 3, 4], 2, async (item) => {
      ran.push(item)
      if (item === 1) throw new Error('EIO at once')
      await new Promise((resolve) => setImmediate(resolve))
      if (item === 3) throw new Error('EIO later')
      return item
    })
    assert.deepEqual(ran.sort(), [1, 2, 3, 4])
    assert.deepEqual(results.map((result) => result.status), ['rejected', 'fulfilled', 'rejected', 'fulfilled'])
    assert.equal((results[2] as PromiseRejectedResult).reason.message, 'EIO later')
  })

  it('settles nothing for no items', async () => {
    assert.deepEqual(await allSettledInFlight([], 8, async () => 1), [])
  })
})
