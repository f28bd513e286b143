import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {LOOK_EVERY_MS, MAX_WAIT_MS, MountTraffic, SMALL_REQUEST_BYTES} from '../../src/lib/blocks/mountTraffic.js'
import type {Served} from '../../src/lib/metrics/metrics.js'

/** What a mount served, growing by `step` at every look. */
function servedGrowing(step: Served): () => Served {
  let served = {bytes: 0, requests: 0}
  return () => (served = {bytes: served.bytes + step.bytes, requests: served.requests + step.requests})
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

describe('a move giving way to the mount', () => {
  it('waits while the mount moves more than its busy level, at most MAX_WAIT_MS, and says so to the addon', async () => {
    // 64 MiB at every look, looks LOOK_EVERY_MS apart: far past 32 MiB a second.
    const verdicts: boolean[] = []
    const traffic = new MountTraffic(servedGrowing({bytes: 64 * 1024 * 1024, requests: 64}), 32 * 1024 * 1024, (busy) => verdicts.push(busy))
    assert.equal(await traffic.giveWay(), 0, 'unwatched, it never waits')
    const stop = traffic.watch()
    try {
      await pause(3 * LOOK_EVERY_MS)
      assert.deepEqual(verdicts, [true])
      assert.ok(await traffic.giveWay() >= MAX_WAIT_MS)
    } finally {
      stop()
    }
    assert.deepEqual(verdicts, [true, false], 'the addon is told the mount is quiet once nobody watches')
    assert.equal(await traffic.giveWay(), 0)
  })

  it('counts a small read as SMALL_REQUEST_BYTES: 4 KiB random reads make a mount busy', async () => {
    // 64 reads of 4 KiB at every look: by their bytes at most 5 MiB a second (looks at least
    // LOOK_EVERY_MS apart), under the busy level; by their count 8 MiB a look, past it.
    const reads = 64
    assert.equal(reads * SMALL_REQUEST_BYTES, 8 * 1024 * 1024)
    const traffic = new MountTraffic(servedGrowing({bytes: reads * 4096, requests: reads}), 16 * 1024 * 1024)
    const stop = traffic.watch()
    try {
      await pause(3 * LOOK_EVERY_MS)
      assert.ok(await traffic.giveWay() >= MAX_WAIT_MS)
    } finally {
      stop()
    }
  })

  it('goes on at once while the mount is quiet, and never waits with a busy level of 0', async () => {
    const quiet = new MountTraffic(servedGrowing({bytes: 0, requests: 0}), 32 * 1024 * 1024)
    const stopQuiet = quiet.watch()
    try {
      await pause(3 * LOOK_EVERY_MS)
      assert.ok(await quiet.giveWay() < MAX_WAIT_MS)
    } finally {
      stopQuiet()
    }
    const verdicts: boolean[] = []
    const never = new MountTraffic(servedGrowing({bytes: 64 * 1024 * 1024, requests: 64}), 0, (busy) => verdicts.push(busy))
    const stop = never.watch()
    await pause(3 * LOOK_EVERY_MS)
    stop()
    assert.equal(await never.giveWay(), 0)
    assert.deepEqual(verdicts, [])
  })
})
