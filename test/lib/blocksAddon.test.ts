import assert from 'node:assert/strict'
import {execFileSync} from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import {describe, it} from 'node:test'
import {readShardFile} from '../../src/lib/blocks/shardFile.js'
import {syncFilesystem, syncPath, writeNewFile} from '../../src/lib/pools/durableFile.js'
import {crc32c, crc32cOfBlock} from '../../src/lib/blocks/checksum.js'
import {systemErrorCode} from '../../src/lib/errors.js'
import {blocksAddon} from '../../src/lib/native/blocksAddon.js'
import {createCodec} from '../../src/lib/erasure/codec.js'
import {patternBytes, tempDir} from '../helpers/tempDir.js'
import {CHUNK_BYTES} from '../../src/lib/format/constants.js'

/** CRC32C bit by bit, straight from the definition: the reference the addon must match. */
function referenceCrc32c(bytes: Uint8Array, previous = 0): number {
  let crc = ~previous >>> 0
  for (const byte of bytes) {
    crc ^= byte
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1
  }
  return ~crc >>> 0
}

describe('CRC32C', () => {
  it('gives the standard check value and matches the bitwise definition at every length and alignment', async () => {
    assert.equal(crc32c(Buffer.from('123456789')), 0xe3069283)
    assert.equal(crc32c(Buffer.alloc(0)), 0)
    const source = patternBytes(4200, 7)
    for (let length = 0; length <= 70; length++) {
      for (let start = 0; start < 9; start++) {
        const bytes = source.subarray(start, start + length)
        assert.equal(crc32c(bytes), referenceCrc32c(bytes), `length ${length} at offset ${start}`)
      }
    }
    const big = source.subarray(3, 4197)
    assert.equal(crc32c(big), referenceCrc32c(big))
    assert.equal(await crc32cOfBlock(big), referenceCrc32c(big), 'the thread-pool variant agrees')
    assert.equal(crc32c(big.subarray(1000), crc32c(big.subarray(0, 1000))), crc32c(big), 'continues from a previous value')
    assert.equal(crc32c(new Uint8Array(big)), crc32c(big), 'a Uint8Array the same as a Buffer')
  })
})

describe('blocks addon: shard files', () => {
  it('reads a file back whole and checked, and names each way it can be wrong', async () => {
    const dir = tempDir()
    const file = path.join(dir, 'shard')
    const bytes = patternBytes(300_000, 3)
    fs.writeFileSync(file, bytes)
    const crc = crc32c(bytes)
    const target = Buffer.alloc(bytes.length)
    assert.equal(await readShardFile(file, target, crc), undefined)
    assert.ok(target.equals(bytes))
    assert.equal(await readShardFile(file, Buffer.alloc(bytes.length), crc ^ 1), 'checksum mismatch')
    assert.equal(await readShardFile(file, Buffer.alloc(bytes.length + 1), crc), 'wrong size', 'file shorter than expected')
    assert.equal(await readShardFile(file, Buffer.alloc(bytes.length - 1), crc), 'wrong size', 'file longer than expected')
    assert.equal(await readShardFile(path.join(dir, 'absent'), target, crc), 'missing')
    fs.writeFileSync(path.join(dir, 'loop'), '')
    fs.rmSync(path.join(dir, 'loop'))
    fs.symlinkSync('loop', path.join(dir, 'loop'))
    assert.equal(await readShardFile(path.join(dir, 'loop'), target, crc), 'read error: ELOOP')
    await assert.rejects(() => readShardFile(file, 'not bytes' as unknown as Buffer, crc), TypeError)
  })

  it('checksums by the chunk (the last one short) and reads any run of chunks checked, catching a flipped byte in the chunk read', async () => {
    const chunk = 16384
    const bytes = patternBytes(3 * chunk + 5000, 3)
    const sums = Buffer.alloc(4 * 4)
    assert.equal(await blocksAddon().crc32cChunks(bytes, chunk, sums), referenceCrc32c(bytes))
    for (let k = 0; k < 4; k++) assert.equal(sums.readUInt32LE(4 * k), referenceCrc32c(bytes.subarray(k * chunk, (k + 1) * chunk)), `chunk ${k}`)
    const file = path.join(tempDir(), 'f')
    fs.writeFileSync(file, bytes)
    const target = blocksAddon().alignedBuffer(2 * chunk)
    for (const [first, count] of [[0, 1], [1, 2], [2, 2], [3, 1]] as const) {
      const length = Math.min(count * chunk, bytes.length - first * chunk)
      const into = target.subarray(0, length)
      assert.equal(await blocksAddon().readChunks(file, into, first * chunk, bytes.length, sums.subarray(4 * first), chunk), 0)
      assert.deepEqual(into, bytes.subarray(first * chunk, first * chunk + length))
    }
    assert.equal(await blocksAddon().readChunks(file, target.subarray(0, chunk), 0, bytes.length + 1, sums, chunk), blocksAddon().STATUS_WRONG_SIZE)
    const fd = fs.openSync(file, 'r+')
    fs.writeSync(fd, Buffer.from([bytes[chunk + 7]! ^ 1]), 0, 1, chunk + 7)
    fs.closeSync(fd)
    assert.equal(await blocksAddon().readChunks(file, target.subarray(0, chunk), 0, bytes.length, sums, chunk), 0, 'chunk 0 is intact')
    assert.equal(await blocksAddon().readChunks(file, target.subarray(0, chunk), chunk, bytes.length, sums.subarray(4), chunk), blocksAddon().STATUS_CHECKSUM_MISMATCH)
  })

  it('writes a file only if it is new, fsyncs files and directories, and reports errors as system errors', async () => {
    const dir = tempDir()
    const file = path.join(dir, 'new')
    const bytes = patternBytes(70_000, 5)
    await writeNewFile(file, bytes)
    assert.ok(fs.readFileSync(file).equals(bytes))
    const exists = await writeNewFile(file, Buffer.from('other')).catch((error: unknown) => error)
    assert.equal(systemErrorCode(exists), 'EEXIST')
    assert.ok(fs.readFileSync(file).equals(bytes), 'the existing file is untouched')
    await writeNewFile(path.join(dir, 'unsynced'), bytes, false)
    assert.ok(fs.readFileSync(path.join(dir, 'unsynced')).equals(bytes))
    await syncPath(file)
    await syncPath(dir)
    await syncFilesystem(dir)
    const missing = await syncPath(path.join(dir, 'absent')).catch((error: unknown) => error)
    assert.equal(systemErrorCode(missing), 'ENOENT')
    assert.match((missing as Error).message, /ENOENT.*absent/)
    assert.equal(systemErrorCode(await syncFilesystem(path.join(dir, 'absent')).catch((error: unknown) => error)), 'ENOENT')
  })

  it('leaves nothing behind when a write runs out of space', {skip: process.getuid?.() !== 0 ? 'mounting a small tmpfs needs root' : false}, async () => {
    const dir = tempDir()
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir])
    try {
      const failure = await writeNewFile(path.join(dir, 'big'), patternBytes(256 * 1024, 9)).catch((error: unknown) => error)
      assert.equal(systemErrorCode(failure), 'ENOSPC')
      assert.deepEqual(fs.readdirSync(dir), [], 'the partial file was removed')
    } finally {
      execFileSync('umount', [dir])
    }
  })
})

describe('blocks addon: direct I/O', () => {
  const addon = blocksAddon()
  /** Bytes of a file held in the page cache, by util-linux fincore. */
  const cached = (file: string): number => Number(execFileSync('fincore', ['-b', '-n', '-o', 'RES', file], {encoding: 'utf8'}).trim())

  it('gives page-aligned buffers', () => {
    for (const size of [0, 1, 4096, 65536, 1 << 20]) {
      const buffer = addon.alignedBuffer(size)
      assert.equal(buffer.length, size)
      // An ArrayBuffer's address is not visible from JavaScript; the buffer is its own allocation,
      // so its byteOffset is 0 and the addon's alignment shows in the page-cache test below.
      assert.equal(buffer.byteOffset, 0)
    }
    for (const size of [-1, 2 ** 32, Number.NaN, 1.5]) assert.throws(() => addon.alignedBuffer(size), TypeError, `size ${size} is refused, not wrapped`)
  })

  it('moves aligned buffers past the page cache and any tail or unaligned buffer through it, every byte intact', async (t) => {
    const dir = tempDir()
    const onTmpfs = execFileSync('stat', ['-f', '-c', '%T', dir], {encoding: 'utf8'}).trim() === 'tmpfs'
    if (onTmpfs) t.diagnostic('the temp dir is on tmpfs, whose files live in the page cache: page-cache checks skipped')
    for (const length of [100, 4096, 5000, (1 << 20), (1 << 20) + 100]) {
      const bytes = patternBytes(length, length)
      const aligned = addon.alignedBuffer(length)
      bytes.copy(aligned)
      const unaligned = Buffer.alloc(length + 1).subarray(1)
      bytes.copy(unaligned)
      for (const [name, buffer, expectCached] of [['aligned', aligned, length % 4096], ['unaligned', unaligned, length]] as const) {
        const file = path.join(dir, `${name}-${length}`)
        await writeNewFile(file, buffer)
        if (!onTmpfs) assert.equal(cached(file), Math.ceil(expectCached / 4096) * 4096, `${name} ${length}-byte write: page-cache bytes`)
        for (const target of [addon.alignedBuffer(length), Buffer.alloc(length + 1).subarray(1)]) {
          assert.equal(await readShardFile(file, target, crc32c(bytes)), undefined, `${name} ${length}-byte file reads back checked`)
          assert.ok(target.equals(bytes), `${name} ${length}-byte file: bytes`)
        }
        assert.ok(fs.readFileSync(file).equals(bytes), `${name} ${length}-byte file as other programs read it`)
      }
    }
  })
})

describe('blocks addon: the background lane', () => {
  /** The I/O class of each thread of this process, as ionice(1) reads it ("idle", "none", ...). */
  const threadClasses = async (): Promise<Map<string, string>> => {
    const {execFile} = await import('node:child_process')
    const threads = fs.readdirSync('/proc/self/task')
    return new Map(await Promise.all(threads.map((tid) => new Promise<[string, string]>((resolve) => {
      execFile('ionice', ['-p', tid], (error, stdout) => resolve([tid, error ? 'gone' : stdout.split(':')[0]!.trim()]))
    }))))
  }

  it('runs a task\'s jobs on threads of their own: the mount\'s jobs never queue behind them', async () => {
    // 48 jobs of a task, each a checksum of 32 MiB, then one of the mount: in one queue (libuv's
    // pool, 4 threads) it would finish after at least 44 of them.
    const bytes = blocksAddon().alignedBuffer(32 * 1024 * 1024).fill(9)
    const sums = Buffer.alloc(4 * (bytes.length / 65536))
    let taskJobsDone = 0
    const taskJobs = Array.from({length: 48}, () => blocksAddon().crc32cChunks(bytes, 65536, Buffer.alloc(sums.length), true).then(() => taskJobsDone++))
    const whole = await blocksAddon().crc32cChunks(bytes, 65536, sums)
    const doneBefore = taskJobsDone
    const classes = await threadClasses()
    await Promise.all(taskJobs)
    assert.equal(whole >>> 0, crc32c(bytes))
    assert.ok(doneBefore < 24, `the mount's job finished after ${doneBefore} of the task's 48`)
    // The lane's threads run at the idle I/O class; this (the JavaScript) thread does not.
    assert.ok([...classes.values()].includes('idle'), `a thread at the idle I/O class: ${[...classes.values()].join(', ')}`)
    assert.notEqual(classes.get(String(process.pid)), 'idle')
  })

  it('reads, writes, syncs and encodes for a task as for the mount', async () => {
    const codec = createCodec({dataShards: 4, parityShards: 2})
    const shards = (): Buffer[] => Array.from({length: 6}, (_, i) => Buffer.from(patternBytes(256 * 1024, i < 4 ? i + 1 : 0)))
    const mounts = shards()
    const tasks = shards()
    await codec.encode(mounts)
    await codec.encode(tasks, 'idle')
    assert.ok(mounts.every((shard, i) => shard.equals(tasks[i]!)), 'the same parity on the background lane')

    const dir = tempDir()
    const bytes = patternBytes(3 * 1024 * 1024 + 5, 3)
    await writeNewFile(path.join(dir, 'f'), bytes, true, 'idle')
    await syncPath(dir, 'idle')
    await syncFilesystem(dir, 'idle')
    const back = Buffer.alloc(bytes.length)
    assert.equal(await readShardFile(path.join(dir, 'f'), back, crc32c(bytes), 'idle'), undefined)
    assert.ok(back.equals(bytes))
  })

  it('holds a task\'s file I/O back a MiB at a time while the mount is busy, at most a second each, every byte intact', async () => {
    const addon = blocksAddon()
    const dir = tempDir()
    // Aligned: past the page cache, in whole pieces and a tail of one page and some.
    const bytes = addon.alignedBuffer((1 << 20) + 4096 + 5)
    patternBytes(bytes.length, 7).copy(bytes)
    const sums = Buffer.alloc(4 * Math.ceil(bytes.length / CHUNK_BYTES))
    await addon.crc32cChunks(bytes, CHUNK_BYTES, sums)
    addon.setMountBusy(true)
    try {
      const startedMs = Date.now()
      await writeNewFile(path.join(dir, 'f'), bytes, true, 'idle')
      const back = addon.alignedBuffer(bytes.length)
      assert.equal(await addon.readChunks(path.join(dir, 'f'), back, 0, bytes.length, sums, CHUNK_BYTES, true), 0)
      assert.ok(back.equals(bytes), 'read back in pieces, checked chunk by chunk')
      // Two pieces written, two read, each held back its second: the lane did wait.
      assert.ok(Date.now() - startedMs >= 4 * 1000 - 50, `waited ${Date.now() - startedMs} ms`)
      // The mount's own I/O never waits for itself (no lower bound to check: that it completes).
      assert.equal(await readShardFile(path.join(dir, 'f'), back, crc32c(bytes)), undefined)
    } finally {
      addon.setMountBusy(false)
    }
  })
})
