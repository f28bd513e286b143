import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {SharedWork} from '../../src/lib/sharedWork.js'

describe('work shared while it runs', () => {
  it('runs once for every caller that asks while it runs, and again once it has ended', async () => {
    const shared = new SharedWork<string, number>()
    let runs = 0
    const work = async (): Promise<number> => {
      runs++
      await new Promise((resolve) => setTimeout(resolve, 10))
      return runs
    }
    const answers = await Promise.all(Array.from({length: 100}, async () => shared.run('dir', work)))
    assert.equal(runs, 1)
    assert.deepEqual(new Set(answers), new Set([1]))
    assert.equal(await shared.run('other', work), 2, 'another key runs on its own')
    assert.equal(await shared.run('dir', work), 3, 'ended work runs again')
  })

  it('hands a failure to every caller waiting on it, and tries again at the next call', async () => {
    const shared = new SharedWork<string, void>()
    let calls = 0
    const failing = async (): Promise<void> => {
      calls++
      await new Promise((resolve) => setTimeout(resolve, 5))
      throw new Error('EIO')
    }
    const outcomes = await Promise.allSettled([shared.run('k', failing), shared.run('k', failing)])
    assert.deepEqual(outcomes.map((outcome) => outcome.status), ['rejected', 'rejected'])
    assert.equal(calls, 1)
    await assert.rejects(shared.run('k', failing))
    assert.equal(calls, 2)
  })
})
