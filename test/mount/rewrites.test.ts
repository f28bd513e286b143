import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {REPO_ROOT} from '../helpers/cli.js'
import {shOk, withMount} from '../helpers/mounted.js'
import {tempDir} from '../helpers/tempDir.js'

const MiB = 1024 * 1024

describe('rewriting data in place', () => {
  it('random 64 KiB writes with fsync: superseded blocks are deleted at once, the pool holds at most twice the live data', async () => {
    const pool = tempDir()
    await withMount({blockSizeBytes: MiB, writeDriveDir: pool}, async (m) => {
      const live = 32 * MiB
      await shOk(`head -c ${live} /dev/urandom > ${m.mnt}/db && sync ${m.mnt}/db`)
      // 4096 writes of 64 KiB, an fsync every 8: each writes the blocks it touched out whole, as new generations.
      const [most] = (await shOk(`python3 ${REPO_ROOT}/bench/randomRewrites.py ${m.mnt}/db ${pool} ${live} 4096 8`)).split(' ').map(Number) as [number]
      assert.ok(most <= 2 * live, `the write pool held ${(most / MiB).toFixed(1)} MiB for ${live / MiB} MiB of data`)
    })
  })
})
