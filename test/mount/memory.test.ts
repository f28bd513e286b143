import assert from 'node:assert/strict'
import fs from 'node:fs'
import {describe, it} from 'node:test'
import {tempDir} from '../helpers/tempDir.js'
import {shmr} from '../helpers/cli.js'
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
      // (Measured: 38-45 MiB; 56-81 while loads admitted together allocated fresh buffers.)
      assert.ok(peakBytes - baseline < cacheBytes + 48 * MiB,
        `peak RSS grew by ${Math.round((peakBytes - baseline) / MiB)} MiB over ${Math.round(baseline / MiB)} MiB while moving ${10 * cacheBytes / MiB} MiB`)
      assert.equal(await shOk(`cmp ${source}/big ${m.mnt}/big && echo same`), 'same')
    })
  })

  it('gives back the buffers of large blocks once files of smaller ones are read', async () => {
    // Reading an archived file fills the cache with its 16 MiB blocks; reading files of 1 MiB
    // blocks then evicts them. Their buffers must not stay as spares beside a cache full again.
    const cacheBytes = 64 * MiB
    await withMount({blockSizeBytes: MiB, archiveBlockSizeBytes: 16 * MiB, mount: {cacheBytes}}, async (m) => {
      await shOk(`head -c ${128 * MiB} /dev/urandom > ${m.mnt}/archived`)
      await m.unmount()
      const shifted = await shmr(['shift', '-c', m.config.file, '/archived'])
      assert.equal(shifted.exitCode, 0, shifted.stderr)
      await m.mount()
      await shOk(`head -c 3M /dev/urandom > ${m.mnt}/warmup && cat ${m.mnt}/warmup > /dev/null`)
      const baseline = memoryOf(m.pid()).rssBytes
      await shOk(`cat ${m.mnt}/archived > /dev/null`)
      await shOk(`head -c ${128 * MiB} /dev/urandom > ${m.mnt}/active && cat ${m.mnt}/active > /dev/null && cat ${m.mnt}/active > /dev/null`)
      const {rssBytes} = memoryOf(m.pid())
      // A full cache, spares of an eighth of it, and the runtime's churn, with the room the test
      // above leaves (95 MiB here); the four 16 MiB blocks' buffers kept as spares made it 172.
      assert.ok(rssBytes - baseline < cacheBytes + 64 * MiB,
        `RSS grew by ${Math.round((rssBytes - baseline) / MiB)} MiB over ${Math.round(baseline / MiB)} MiB with a ${cacheBytes / MiB} MiB cache`)
    })
  })
})
