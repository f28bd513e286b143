import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {fanoutDir, type Fanout} from '../../src/lib/format/fanout.js'

/**
 * Fan-out directories as format 6 places block files (docs/FORMAT.md, "Drive directories"):
 * pinned, since every block file already on a drive is looked for there.
 */
const PLACED: ReadonlyArray<[fileId: number, blockIndex: number, fanout: Fanout, dir: string]> = [
  [0, 0, 'grouped', 'shmr/4a/31'],
  [0, 0, 'byFile', 'shmr/4a/31'],
  [15, 0, 'grouped', 'shmr/4a/31'],
  [15, 0, 'byFile', 'shmr/ba/a9'],
  [16, 0, 'grouped', 'shmr/ef/70'],
  [16, 0, 'byFile', 'shmr/50/87'],
  [17, 63, 'grouped', 'shmr/ef/70'],
  [17, 63, 'byFile', 'shmr/f5/c6'],
  [17, 64, 'grouped', 'shmr/1d/1b'],
  [17, 64, 'byFile', 'shmr/f5/c6'],
  [12345, 3, 'grouped', 'shmr/d1/db'],
  [12345, 3, 'byFile', 'shmr/64/59'],
]

describe('fan-out directories', () => {
  it('are where format 6 put them, asked in any order (the last one is remembered)', () => {
    // Every entry asked right after every other, and after itself.
    for (const before of PLACED) {
      for (const [fileId, blockIndex, fanout, dir] of PLACED) {
        fanoutDir({fileId: before[0], blockIndex: before[1]}, before[2])
        assert.equal(fanoutDir({fileId, blockIndex}, fanout), dir, `file ${fileId} block ${blockIndex} ${fanout} after ${before.join(' ')}`)
      }
    }
  })
})
