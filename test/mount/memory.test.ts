import assert from 'node:assert/strict'
import fs from 'node:fs'
import {describe, it} from 'node:test'
import {tempDir} from '../helpers/tempDir.js'
import {shOk, withMount} from '../helpers/mounted.js'

const MiB = 1024 * 1024

function memoryOf(pid: number): {rssBytes: number; peakBytes: number} {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8')
  const field = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)![1]) * 1024
  return {rssBytes: field('VmRSS'), peakBytes: field('VmHWM')}
}

describe('memory', () => {
  it('stays bounded by the cache size while copying a file ten times larger, in and out', async () => {
    const cacheBytes = 16 * MiB
    const source = tempDir()
    await shOk(`head -c ${10 * cacheBytes + 12345} /dev/urandom > ${source}/big`)
    await withMount({blockSizeBytes: 1 * MiB, mount: {cacheBytes}}, async (m) => {
      await shOk(`cp ${source}/small-warmup 2>/dev/null; head -c 3M /dev/urandom > ${m.mnt}/warmup && cat ${m.mnt}/warmup > /dev/null`)
      const baseline = memoryOf(m.pid()).rssBytes
      await shOk(`cp ${source}/big ${m.mnt}/big`)
      await shOk(`cat ${m.mnt}/big > /dev/null`)
      const {peakBytes} = memoryOf(m.pid())
      // The cache plus room for in-flight requests and the runtime's own churn, far below the file.
      assert.ok(peakBytes - baseline < cacheBytes + 64 * MiB,
        `peak RSS grew by ${Math.round((peakBytes - baseline) / MiB)} MiB over ${Math.round(baseline / MiB)} MiB while moving ${10 * cacheBytes / MiB} MiB`)
      assert.equal(await shOk(`cmp ${source}/big ${m.mnt}/big && echo same`), 'same')
    })
  })
})
