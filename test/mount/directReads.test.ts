import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import fs from 'node:fs'
import readline from 'node:readline'
import {describe, it} from 'node:test'
import {CHUNK_BYTES} from '../../src/lib/format/constants.js'
import {shOk, withMount} from '../helpers/mounted.js'
import {stoppedServerFigures} from '../helpers/prometheus.js'
import {tempDir} from '../helpers/tempDir.js'

const MiB = 1024 * 1024

/**
 * A reader that keeps a file open and reads what it is told, one line each: `OFFSET LENGTH` in,
 * the bytes' hex out. Random access advised, so that each read asks for its own pages only.
 */
const READER = `import os, sys
fd = os.open(sys.argv[1], os.O_RDONLY); os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_RANDOM)
print('open', flush=True)
for line in sys.stdin:
    offset, length = map(int, line.split())
    print(os.pread(fd, length, offset).hex(), flush=True)
`

interface Reader {
  read(offset: number, length: number): Promise<string>
  close(): Promise<void>
}

async function openReader(file: string): Promise<Reader> {
  const child = spawn('python3', ['-c', READER, file], {stdio: ['pipe', 'pipe', 'inherit']})
  const lines = readline.createInterface({input: child.stdout})[Symbol.asyncIterator]()
  const next = async (): Promise<string> => {
    const line = await lines.next()
    assert.ok(!line.done, 'the reader stopped')
    return line.value
  }
  assert.equal(await next(), 'open')
  return {
    read: async (offset, length) => {
      child.stdin.write(`${offset} ${length}\n`)
      return next()
    },
    close: async () => {
      child.stdin.end()
      await new Promise((resolve) => child.once('exit', resolve))
    },
  }
}

const hex = (bytes: Buffer, offset: number, length: number): string => bytes.subarray(offset, offset + length).toString('hex')

describe('reads the binding answers itself', () => {
  it('reads an open file from its blocks without JavaScript, and sees every change made through another descriptor at once', {timeout: 120_000}, async () => {
    await withMount({blockSizeBytes: MiB}, async (m) => {
      const reference = `${tempDir()}/f`
      // 16 MiB: reads more than the kernel's read-ahead window (4 MiB) apart are a random reader's,
      // which the binding takes; nearer ones it leaves to JavaScript as a sequential reader's.
      await shOk(`head -c ${16 * MiB} /dev/urandom > ${reference} && cp ${reference} ${m.mnt}/f && sync`)
      await m.remount()
      let expected = fs.readFileSync(reference)
      const reader = await openReader(`${m.mnt}/f`)
      const at = 13 * MiB + 65536
      try {
        // Blocks as stored, read by the binding.
        for (const offset of [13 * MiB + 8192, 100_000, 7 * MiB - 10]) assert.equal(await reader.read(offset, 4096), hex(expected, offset, 4096), `at ${offset}`)

        // Overwritten through another descriptor: the next read sees the new bytes, not the block
        // file the open read from before (its blocks are not written out yet, then they are).
        const patch = `${tempDir()}/patch`
        await shOk(`head -c 4096 /dev/urandom > ${patch} && dd if=${patch} of=${m.mnt}/f bs=4096 seek=${at / 4096} conv=notrunc status=none`)
        expected = Buffer.concat([expected.subarray(0, at), fs.readFileSync(patch), expected.subarray(at + 4096)])
        assert.equal(await reader.read(at, 4096), hex(expected, at, 4096), 'written, not yet stored')
        await shOk(`sync ${m.mnt}/f`)
        assert.equal(await reader.read(MiB, 4096), hex(expected, MiB, 4096), 'elsewhere, once stored')
        assert.equal(await reader.read(at - 4096, 12288), hex(expected, at - 4096, 12288), 'around it, once stored')

        // Cut short and grown again: what was cut reads as zeros, whichever blocks held it before.
        await shOk(`truncate -s ${MiB + 5} ${m.mnt}/f && truncate -s ${16 * MiB} ${m.mnt}/f`)
        expected = Buffer.concat([expected.subarray(0, MiB + 5), Buffer.alloc(15 * MiB - 5)])
        assert.equal(await reader.read(MiB, 4096), hex(expected, MiB, 4096), 'the new last block')
        assert.equal(await reader.read(13 * MiB + 200_000, 4096), '00'.repeat(4096), 'a block cut away')
      } finally {
        await reader.close()
      }
      fs.writeFileSync(reference, expected)
      assert.equal(await shOk(`cmp ${reference} ${m.mnt}/f && echo same`), 'same')
      await m.unmount()
      const figures = stoppedServerFigures(m.config.metadataDir)
      assert.ok((figures.get('shmr_direct_reads_total') ?? 0) >= 3, 'the binding read the stored blocks itself')
    })
  })

  it('leaves the chunk a small read checked in the page cache, and answers the reads of its other pages from there', {timeout: 120_000}, async () => {
    await withMount({blockSizeBytes: MiB}, async (m) => {
      const reference = `${tempDir()}/f`
      await shOk(`head -c ${16 * MiB} /dev/urandom > ${reference} && cp ${reference} ${m.mnt}/f && sync`)
      await m.remount()
      const pool = m.config.pools[0]!.drives[0]!.dir!
      const blockFile = await shOk(`find ${pool}/shmr -name 'i*.b13.*.shard'`)
      assert.match(blockFile, /\.shard$/, 'block 13 is stored in one file')
      // Nothing of it cached before the read, whatever wrote it.
      await shOk(`python3 -c "import os; os.posix_fadvise(os.open('${blockFile}', os.O_RDONLY), 0, 0, os.POSIX_FADV_DONTNEED)"`)
      const residentBytes = async (): Promise<number> => Number(await shOk(`fincore --bytes --noheadings --output RES ${blockFile}`))
      assert.equal(await residentBytes(), 0)
      const expected = fs.readFileSync(reference)
      const reader = await openReader(`${m.mnt}/f`)
      const chunk = 13 * MiB + 5 * CHUNK_BYTES
      try {
        assert.equal(await reader.read(chunk + 4096, 4096), hex(expected, chunk + 4096, 4096))
        assert.ok(await residentBytes() >= CHUNK_BYTES, 'the 16 KiB chunk read to check the 4 KiB is in the page cache')
        // Far away first, so that the next is no sequential reader's (those are JavaScript's).
        assert.equal(await reader.read(2 * MiB, 4096), hex(expected, 2 * MiB, 4096))
        assert.equal(await reader.read(chunk + 8192, 4096), hex(expected, chunk + 8192, 4096), 'another page of the chunk')
      } finally {
        await reader.close()
      }
      await m.unmount()
      const figures = stoppedServerFigures(m.config.metadataDir)
      assert.ok((figures.get('shmr_direct_reads_total') ?? 0) >= 3, 'the binding read them itself')
      assert.ok((figures.get('shmr_direct_reads_cached_total') ?? 0) >= 1, 'the other page of the chunk from the page cache')
    })
  })
})
