import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import {describe, it} from 'node:test'
import {patternBytes, tempDir} from '../helpers/tempDir.js'
import {sh, shOk, withMount} from '../helpers/mounted.js'
import {driveReadBytes, stoppedServerFigures} from '../helpers/prometheus.js'

const BLOCK = 65536

/** sha256 of a file, through the real sha256sum. */
async function sha(file: string): Promise<string> {
  return (await shOk(`sha256sum ${JSON.stringify(file)}`)).split(' ')[0]!
}

describe('files through the mount', () => {
  it('copies files of 0, 1, block-1, block, block+1 bytes and 100 MiB+ byte-exact, and keeps them across remount', async () => {
    const source = tempDir()
    const sizes = [0, 1, BLOCK - 1, BLOCK, BLOCK + 1, 3 * BLOCK + 17]
    for (const size of sizes) fs.writeFileSync(path.join(source, `f${size}`), patternBytes(size, size + 1))
    await shOk(`head -c ${100 * 1024 * 1024 + 12345} /dev/urandom > ${source}/big`)
    await withMount({blockSizeBytes: BLOCK, mount: {cacheBytes: 16 * 1024 * 1024}}, async (m) => {
      for (const name of fs.readdirSync(source)) await shOk(`cp ${source}/${name} ${m.mnt}/${name}`)
      const expected = new Map<string, string>()
      for (const name of fs.readdirSync(source)) expected.set(name, await sha(path.join(source, name)))
      for (const [name, digest] of expected) assert.equal(await sha(path.join(m.mnt, name)), digest, `${name} right after copy`)
      await m.remount()
      for (const [name, digest] of expected) assert.equal(await sha(path.join(m.mnt, name)), digest, `${name} after remount`)
      const sizesSeen = (await shOk(`stat -c '%n %s' ${m.mnt}/f*`)).trim().split('\n').map((line) => line.split(' ')[1])
      assert.deepEqual(sizesSeen.map(Number).sort((a, b) => a - b), [...sizes].sort((a, b) => a - b))
    })
  })

  it('applies writes at random offsets exactly as a local file does (dd conv=notrunc)', async () => {
    const reference = path.join(tempDir(), 'reference')
    fs.writeFileSync(reference, patternBytes(5 * BLOCK + 100, 3))
    const patch = path.join(tempDir(), 'patch')
    fs.writeFileSync(patch, patternBytes(3 * BLOCK, 4))
    await withMount({blockSizeBytes: BLOCK}, async (m) => {
      const target = path.join(m.mnt, 'file')
      await shOk(`cp ${reference} ${target}`)
      let seed = 12345
      const random = (n: number): number => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed % n }
      for (let i = 0; i < 40; i++) {
        const offset = random(7 * BLOCK)
        const count = 1 + random(2 * BLOCK)
        const skip = random(BLOCK)
        for (const file of [reference, target]) {
          await shOk(`dd if=${patch} of=${file} bs=64k skip=${skip} seek=${offset} count=${count} conv=notrunc iflag=skip_bytes,count_bytes oflag=seek_bytes status=none`)
        }
      }
      assert.equal(await sha(target), await sha(reference))
      await m.remount()
      assert.equal(await sha(target), await sha(reference), 'after remount')
    })
  })

  it('overwrites whole blocks without reading the old ones (their files may even be gone)', async () => {
    const MiB = 1024 * 1024
    await withMount({blockSizeBytes: MiB}, async (m) => {
      const source = tempDir()
      await shOk(`head -c ${4 * MiB} /dev/urandom > ${source}/old && head -c ${2 * MiB} /dev/urandom > ${source}/new`)
      await shOk(`cp ${source}/old ${m.mnt}/f`)
      await shOk(`cp ${source}/old ${m.mnt}/g`)
      await m.unmount()
      // Destroy the stored copies of blocks 1 and 2 of f, and block 1 of g: any read of them now fails.
      const pool = `${m.config.pools[0]!.drives[0]!.dir!}/shmr`
      const victims = (await shOk(`find ${pool} -name 'i2.b1.*' -o -name 'i2.b2.*' -o -name 'i3.b1.*'`)).split('\n')
      assert.equal(victims.length, 3, victims.join('\n'))
      for (const file of victims) fs.rmSync(file)
      await m.mount()
      await shOk(`dd if=${source}/new of=${m.mnt}/f bs=128k seek=8 conv=notrunc,fsync status=none`)
      await shOk(`cp ${source}/old ${source}/expected && dd if=${source}/new of=${source}/expected bs=128k seek=8 conv=notrunc status=none`)
      assert.equal(await sha(`${m.mnt}/f`), await sha(`${source}/expected`))
      // A partial write into a block whose stored copy is gone must fail, not invent data.
      const partial = await sh(`dd if=${source}/new of=${m.mnt}/g bs=4k seek=300 count=1 conv=notrunc,fsync status=none`)
      assert.notEqual(partial.exitCode, 0)
      assert.match(partial.stderr, /Input\/output error/)
    })
  })

  it('appends with O_APPEND, truncates with O_TRUNC, refuses O_EXCL on an existing file', async () => {
    await withMount({blockSizeBytes: BLOCK}, async (m) => {
      await shOk(`cd ${m.mnt} && echo one > log && echo two >> log && echo three >> log`)
      assert.equal(fs.readFileSync(path.join(m.mnt, 'log'), 'utf8'), 'one\ntwo\nthree\n')
      await shOk(`cd ${m.mnt} && echo new > log`)
      assert.equal(fs.readFileSync(path.join(m.mnt, 'log'), 'utf8'), 'new\n')
      const excl = await sh(`cd ${m.mnt} && set -o noclobber && echo x > log`)
      assert.notEqual(excl.exitCode, 0)
      assert.match(excl.stderr, /File exists|cannot overwrite/)
    })
  })

  it('truncates down and up: cut data is gone, the grown part reads as zeros and is not stored', async () => {
    await withMount({blockSizeBytes: BLOCK}, async (m) => {
      const file = path.join(m.mnt, 't')
      await shOk(`head -c ${3 * BLOCK} /dev/urandom > ${file}`)
      await shOk(`truncate -s ${BLOCK + 10} ${file} && truncate -s ${4 * BLOCK} ${file}`)
      const bytes = fs.readFileSync(file)
      assert.equal(bytes.length, 4 * BLOCK)
      assert.ok(bytes.subarray(BLOCK + 10).equals(Buffer.alloc(3 * BLOCK - 10)), 'bytes past the cut read as zeros')
      await m.remount()
      const again = fs.readFileSync(file)
      assert.ok(again.equals(bytes), 'same after remount')
      await shOk(`truncate -s 6G ${file}`)
      assert.equal(fs.statSync(file).size, 6 * 1024 ** 3, 'files past 4 GiB')
      await shOk(`printf tail | dd of=${file} bs=1 seek=$((5*1024*1024*1024)) conv=notrunc status=none`)
      assert.equal((await shOk(`dd if=${file} bs=1 skip=$((5*1024*1024*1024)) count=4 status=none`)), 'tail')
      const stored = (await shOk(`du -sb ${m.config.pools[0]!.drives[0]!.dir!}/shmr`)).split('\t')[0]
      assert.ok(Number(stored) < 16 * BLOCK, `a 6 GiB sparse file stores only its data blocks (${stored} bytes)`)
      // 128 TiB is the largest file shmr stores (a format constant decode relies on too).
      await shOk(`truncate -s 128T ${file}`)
      assert.match((await sh(`truncate -s 129T ${file}`)).stderr, /File too large/)
      assert.match((await sh(`printf x | dd of=${file} bs=1 seek=$((128*1024**4)) conv=notrunc status=none`)).stderr, /File too large/)
      assert.equal(fs.statSync(file).size, 128 * 1024 ** 4)
    })
  })

  it('reads zeros past the bytes a block holds once the file grows past them, cached and stored', async () => {
    // A block's buffer ends where its writes did. A read starting past that end (here in the
    // grown part of the first block) failed with EIO: found by Python's test_largefile (sendfile).
    await withMount({blockSizeBytes: BLOCK}, async (m) => {
      const file = path.join(m.mnt, 'grown')
      await shOk(`printf z > ${file} && truncate -s ${3 * BLOCK} ${file}`)
      const readAt = (position: number, length: number): Buffer => {
        const fd = fs.openSync(file, 'r')
        try {
          const bytes = Buffer.alloc(length)
          return bytes.subarray(0, fs.readSync(fd, bytes, 0, length, position))
        } finally {
          fs.closeSync(fd)
        }
      }
      for (const when of ['cached', 'stored']) {
        if (when === 'stored') await m.remount()
        assert.deepEqual(readAt(BLOCK / 4, BLOCK / 2), Buffer.alloc(BLOCK / 2), `${when}: a read inside the first block, past its byte`)
        assert.deepEqual(readAt(BLOCK / 2, BLOCK), Buffer.alloc(BLOCK), `${when}: a read from there into the next block`)
        assert.deepEqual(readAt(0, 2), Buffer.from('z\0'), `${when}: the byte written`)
      }
    })
  })

  it('writes nothing out at close, a reader\'s or a writer\'s: fsync does', async () => {
    await withMount({blockSizeBytes: BLOCK, mount: {flushAfterMs: 600_000}}, async (m) => {
      const pool = m.config.pools[0]!.drives[0]!.dir!
      const blockFiles = (): Promise<string> => shOk(`find ${pool}/shmr -name '*.shard' | wc -l`)
      // All in one Python process: a shell's redirection of a builtin, or a child started while
      // the writer's descriptor is open, closes a copy of it, which is a flush of the writer's.
      const result = await shOk(`python3 -c "
import os
fd = os.open('${m.mnt}/f', os.O_WRONLY | os.O_CREAT, 0o644)
os.write(fd, b'written')
with open('${m.mnt}/f') as reader: print(reader.read())
print(sum(name.endswith('.shard') for _, _, names in os.walk('${pool}/shmr') for name in names))
os.close(fd)"`)
      assert.equal(result, 'written\n0', 'the reader saw the data, and its close wrote no block')
      assert.equal(await blockFiles(), '0', 'nor did the writer\'s close')
      await shOk(`python3 -c "import os; fd = os.open('${m.mnt}/f', os.O_RDONLY); os.fsync(fd)"`)
      assert.equal(await blockFiles(), '1', 'fsync wrote it')
    })
  })

  it('keeps an unlinked file readable through a descriptor opened before the unlink', async () => {
    await withMount({blockSizeBytes: BLOCK}, async (m) => {
      await shOk(`head -c ${2 * BLOCK + 5} /dev/urandom > ${m.mnt}/gone`)
      const digest = (await shOk(`sha256sum < ${m.mnt}/gone`)).split(' ')[0]
      const out = await shOk(`exec 3< ${m.mnt}/gone; rm ${m.mnt}/gone; test ! -e ${m.mnt}/gone && sha256sum <&3`)
      assert.equal(out.split(' ')[0], digest)
    })
  })

  it('serves two writers and two readers at once on different files', async () => {
    await withMount({blockSizeBytes: BLOCK, mount: {cacheBytes: 16 * 1024 * 1024}}, async (m) => {
      const source = tempDir()
      await shOk(`head -c 20M /dev/urandom > ${source}/a && head -c 20M /dev/urandom > ${source}/b && cp ${source}/a ${m.mnt}/ra && cp ${source}/b ${m.mnt}/rb`)
      await Promise.all([
        shOk(`cp ${source}/a ${m.mnt}/wa`), shOk(`cp ${source}/b ${m.mnt}/wb`),
        shOk(`cat ${m.mnt}/ra > /dev/null`), shOk(`cat ${m.mnt}/rb > /dev/null`),
      ])
      assert.equal(await sha(`${m.mnt}/wa`), await sha(`${source}/a`))
      assert.equal(await sha(`${m.mnt}/wb`), await sha(`${source}/b`))
      assert.equal(await sha(`${m.mnt}/ra`), await sha(`${source}/a`))
    })
  })

  it('keeps writers\' bytes apart with more writes in flight than the binding has receive buffers (64), each answered before its copy', async () => {
    // A write is answered once it can no longer fail and copied into the cache just after, from
    // the buffer it arrived in: that buffer must stay the write's until the copy is made, also
    // when the writes waiting for cache room outnumber the buffers and the binding reads the
    // rest into a buffer of its own and copies them (a copy freed at the reply crashed the server
    // about once in eight rounds). Three rounds.
    await withMount({blockSizeBytes: BLOCK, mount: {cacheBytes: 16 * 1024 * 1024}}, async (m) => {
      const source = tempDir()
      const writers = 80
      await shOk(`for i in $(seq 1 ${writers}); do head -c 1600000 /dev/urandom > ${source}/s$i; done`)
      const sums = async (dir: string, prefix: string): Promise<string[]> =>
        (await shOk(`cd ${dir} && for i in $(seq 1 ${writers}); do sha256sum < ${prefix}$i; done`)).trim().split('\n')
      for (let round = 0; round < 3; round++) {
        await shOk(`seq 1 ${writers} | xargs -P ${writers} -I{} dd if=${source}/s{} of=${m.mnt}/w{} bs=1M status=none`)
        assert.deepEqual(await sums(m.mnt, 'w'), await sums(source, 's'))
      }
      await m.remount()
      assert.deepEqual(await sums(m.mnt, 'w'), await sums(source, 's'))
    })
  })

  it('punches holes that free their blocks, and copies with copy_file_range inside the server', async () => {
    await withMount({blockSizeBytes: BLOCK}, async (m) => {
      const pool = `${m.config.pools[0]!.drives[0]!.dir!}/shmr`
      const stored = async (): Promise<number> => Number((await shOk(`du -sb ${pool}`)).split('\t')[0])
      // Both files written out before `full` is taken: `before` flushed later made the figure after the punch look too large.
      await shOk(`head -c ${40 * BLOCK} /dev/urandom > ${m.mnt}/f && sync ${m.mnt}/f && cp ${m.mnt}/f ${m.mnt}/before && sync ${m.mnt}/before`)
      const full = await stored()
      // Blocks 2-33 whole, and parts of blocks 1 and 34: the whole ones go, the edges are zeroed.
      await shOk(`fallocate -p -o ${BLOCK + 100} -l ${33 * BLOCK} ${m.mnt}/f && sync ${m.mnt}/f`)
      assert.ok(await stored() <= full - 40 * BLOCK + 8 * BLOCK, `${await stored()} bytes stored after the punch (${full} before)`)
      const check = `import sys; a = open(sys.argv[1], 'rb').read(); b = open(sys.argv[2], 'rb').read(); s, e = ${BLOCK + 100}, ${34 * BLOCK + 100}
assert len(a) == len(b) == ${40 * BLOCK}, len(a)
assert a[:s] == b[:s] and a[e:] == b[e:], 'bytes outside the hole changed'
assert a[s:e] == bytes(e - s), 'the hole does not read as zeros'`
      await shOk(`python3 -c "${check}" ${m.mnt}/f ${m.mnt}/before`)
      await shOk(`python3 -c 'import os, sys; src = os.open(sys.argv[1], os.O_RDONLY); dst = os.open(sys.argv[2], os.O_WRONLY | os.O_CREAT, 0o644)
n = 0
while True:
    c = os.copy_file_range(src, dst, 1 << 30)
    if c == 0: break
    n += c
assert n == ${40 * BLOCK}, n' ${m.mnt}/before ${m.mnt}/copy`)
      await m.unmount()
      const copies = stoppedServerFigures(m.config.metadataDir).get('shmr_operations_total{op="copy_file_range"}') ?? 0
      assert.ok(copies >= 1, 'copy_file_range reached the server')
      await m.mount()
      assert.equal(await sha(`${m.mnt}/copy`), await sha(`${m.mnt}/before`))
      await shOk(`python3 -c "${check}" ${m.mnt}/f ${m.mnt}/before`)
    })
  })

  it('reads sequentially in 1 MiB requests with the kernel reading ahead, and fails a damaged block with EIO naming it', async () => {
    await withMount({blockSizeBytes: BLOCK}, async (m) => {
      const source = tempDir()
      await shOk(`head -c 8M /dev/urandom > ${source}/seq && cp ${source}/seq ${m.mnt}/seq`)
      const device = (await shOk(`mountpoint -d ${m.mnt}`)).trim()
      assert.equal((await shOk(`cat /sys/class/bdi/${device}/read_ahead_kb`)).trim(), '4096', 'the read-ahead window is mount.readAhead (4M)')
      // A new mount starts cold: neither shmr's cache nor the kernel's page cache holds the file.
      await m.remount()
      assert.equal(await sha(`${m.mnt}/seq`), await sha(`${source}/seq`))
      await m.unmount()
      const reads = stoppedServerFigures(m.config.metadataDir).get('shmr_operations_total{op="read"}')
      assert.ok(reads !== undefined && reads <= 12, `8 MiB read in ${reads} requests (at the kernel's default 128 KiB window it takes 64)`)

      // The first file made is inode 2; its block 5 gets one flipped bit.
      const victim = (await shOk(`find ${m.config.pools[0]!.drives[0]!.dir!}/shmr -name 'i2.b5.*'`)).trim()
      const bytes = fs.readFileSync(victim)
      bytes[1000]! ^= 0x01
      fs.writeFileSync(victim, bytes)
      await m.mount()
      const failed = await sh(`cat ${m.mnt}/seq > /dev/null`)
      assert.notEqual(failed.exitCode, 0)
      assert.match(failed.stderr, /Input\/output error/)
      assert.match(fs.readFileSync(path.join(m.config.metadataDir, 'mount.log'), 'utf8'), /file 2 block 5 \(single\) cannot be read: shard 0 on ssd0: checksum mismatch/)
      const before = await shOk(`dd if=${m.mnt}/seq bs=${BLOCK} count=5 status=none | sha256sum`)
      assert.equal(before, await shOk(`head -c ${5 * BLOCK} ${source}/seq | sha256sum`), 'the blocks before it still read')
    })
  })

  it('loads blocks ahead of a sequential reader past the kernel\'s window, as far as the run has come: a peek costs the block it reads', async () => {
    await withMount({blockSizeBytes: BLOCK}, async (m) => {
      await shOk(`head -c 32M /dev/urandom > ${m.mnt}/long`)
      /** Bytes served through the mount and bytes of block files read, since the last mount (the figures written at stop). */
      const readFigures = async (): Promise<{served: number; loaded: number}> => {
        await m.unmount()
        const samples = stoppedServerFigures(m.config.metadataDir)
        await m.mount()
        return {served: samples.get('shmr_fuse_bytes_total{direction="read"}') ?? 0, loaded: driveReadBytes(samples)}
      }
      await m.remount()
      await shOk(`head -c 100 ${m.mnt}/long > /dev/null`)
      const peek = await readFigures()
      assert.ok(peek.loaded <= 8 * BLOCK, `a 100-byte peek loaded ${peek.loaded} bytes (the whole window would be 8 MiB)`)
      await shOk(`dd if=${m.mnt}/long of=/dev/null bs=1M count=2 status=none`)
      const run = await readFigures()
      // Without shmr's read-ahead it loads what the kernel asked for, rounded up to whole blocks.
      assert.ok(run.loaded >= run.served + 1024 * 1024, `2 MiB read: the kernel asked for ${run.served} bytes, shmr loaded ${run.loaded}`)
      assert.ok(run.loaded <= run.served + 8 * 1024 * 1024 + BLOCK, `no more than the window ahead: ${run.loaded} loaded for ${run.served}`)
    })
  })

  it('writes and reads block files past the page cache (O_DIRECT): shmr caches blocks itself', async (t) => {
    await withMount({blockSizeBytes: BLOCK}, async (m) => {
      const pool = m.config.pools[0]!.drives[0]!.dir!
      const kind = (await shOk(`stat -f -c %T ${pool}`)).trim()
      if (kind === 'tmpfs') return t.skip(`the write pool is on tmpfs, whose files live in the page cache`)
      // Bytes of the write pool's block files held in the page cache.
      const cached = async (): Promise<number> => (await shOk(`find ${pool}/shmr -type f -name 'i*' -exec fincore -b -n -o RES {} +`))
        .trim().split('\n').filter(Boolean).reduce((sum, line) => sum + Number(line), 0)
      const source = tempDir()
      await shOk(`head -c 8M /dev/urandom > ${source}/f && cp ${source}/f ${m.mnt}/f`)
      await m.remount()
      assert.equal(await cached(), 0, 'the 128 blocks written left nothing in the page cache')
      assert.equal(await sha(`${m.mnt}/f`), await sha(`${source}/f`))
      assert.equal(await cached(), 0, 'reading them back put nothing there either')
    })
  })

  it('keeps readers that cached a file coherent with writes through a write-only open (direct I/O)', async () => {
    await withMount({blockSizeBytes: BLOCK}, async (m) => {
      const source = tempDir()
      const file = `${m.mnt}/f`
      await shOk(`head -c 1M /dev/urandom > ${source}/f && cp ${source}/f ${file}`)
      // Every open without keep_cache drops the file's cached pages, so the writer opens first:
      // the reader's page is cached when the write-only open, which bypasses the cache, changes it.
      const script = `const fs = require('fs'); const [file, seed] = process.argv.slice(1);
        const writer = fs.openSync(file, fs.constants.O_WRONLY); const reader = fs.openSync(file, 'r');
        const page = Buffer.alloc(4096); fs.readSync(reader, page, 0, 4096, 8192);
        const patch = Buffer.alloc(4096, Number(seed)); fs.writeSync(writer, patch, 0, 4096, 8192);
        fs.readSync(reader, page, 0, 4096, 8192); process.stdout.write(page.equals(patch) ? 'fresh' : 'stale');`.replace(/\n\s*/g, ' ')
      assert.equal(await shOk(`node -e ${JSON.stringify(script)} ${file} 7`), 'fresh')
      await shOk(`head -c 4096 /dev/zero | tr '\\0' '\\7' | dd of=${source}/f bs=4096 seek=2 conv=notrunc status=none`)
      assert.equal(await sha(file), await sha(`${source}/f`), 'the file is the source with that page replaced')
    })
  })

  it('lets the kernel keep a file\'s pages across opens: reading it again never reaches shmr, and a write past the pages is seen at the next open', async () => {
    await withMount({blockSizeBytes: BLOCK}, async (m) => {
      const source = tempDir()
      await shOk(`head -c 4M /dev/urandom > ${source}/f && cp ${source}/f ${m.mnt}/f`)
      await m.remount()
      for (let i = 0; i < 4; i++) assert.equal(await sha(`${m.mnt}/f`), await sha(`${source}/f`))
      // Written through a write-only open (direct I/O, past the pages), then read by new opens.
      await shOk(`head -c 4096 /dev/zero | tr '\\0' '\\7' > ${source}/patch`)
      for (const file of [`${source}/f`, `${m.mnt}/f`]) await shOk(`dd if=${source}/patch of=${file} bs=4096 seek=5 conv=notrunc status=none`)
      for (let i = 0; i < 2; i++) assert.equal(await sha(`${m.mnt}/f`), await sha(`${source}/f`), 'the new bytes are read')
      await m.unmount()
      const readBytes = stoppedServerFigures(m.config.metadataDir).get('shmr_fuse_bytes_total{direction="read"}') ?? 0
      // Read once after the remount, and once after the write (or only its page): not six times.
      assert.ok(readBytes <= 2 * 4 * 1024 * 1024, `${readBytes} bytes read through the mount for six reads of a 4 MiB file`)
    })
  })

  it('a reader follows a file as it grows while the kernel keeps attributes', async () => {
    await withMount({blockSizeBytes: BLOCK}, async (m) => {
      const script = `const fs = require('fs'); const file = process.argv[1];
        const writer = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_CREAT); const reader = fs.openSync(file, 'r');
        const drain = () => { const chunk = Buffer.alloc(65536); let total = 0, got; while ((got = fs.readSync(reader, chunk, 0, chunk.length, null)) > 0) total += got; return total; };
        fs.writeSync(writer, Buffer.alloc(100000, 1)); const first = drain();
        fs.writeSync(writer, Buffer.alloc(50000, 2)); const second = drain();
        process.stdout.write(first + ' ' + second);`.replace(/\n\s*/g, ' ')
      // The kernel keeps the attributes it was given (attributes.ts) and drops the size when a write
      // changes it: the reader sees the growth.
      assert.equal(await shOk(`node -e ${JSON.stringify(script)} ${m.mnt}/growing`), '100000 50000')
    })
  })

  it('reports only stored blocks to du: a sparse file is small', async () => {
    await withMount({blockSizeBytes: BLOCK}, async (m) => {
      await shOk(`truncate -s 1G ${m.mnt}/sparse && printf data | dd of=${m.mnt}/sparse bs=1 seek=$((512*1024*1024)) conv=notrunc,fsync status=none`)
      await shOk(`head -c ${3 * BLOCK} /dev/urandom > ${m.mnt}/dense`)
      const usage = async (name: string): Promise<number> => Number((await shOk(`du -B1 ${m.mnt}/${name}`)).split('\t')[0])
      assert.ok(await usage('sparse') <= BLOCK, `du of a 1 GiB file holding 4 bytes: ${await usage('sparse')}`)
      assert.equal(await usage('dense'), 3 * BLOCK)
      await shOk(`truncate -s ${BLOCK} ${m.mnt}/dense`)
      assert.equal(await usage('dense'), BLOCK, 'truncating gives the space back')
    })
  })

  it('finds data and holes with lseek SEEK_DATA and SEEK_HOLE, block by block; cp --sparse keeps the holes', async () => {
    await withMount({blockSizeBytes: BLOCK}, async (m) => {
      await shOk(`truncate -s ${64 * BLOCK} ${m.mnt}/sparse && printf data | dd of=${m.mnt}/sparse bs=1 seek=${10 * BLOCK + 5} conv=notrunc,fsync status=none`)
      await shOk(`printf tail | dd of=${m.mnt}/sparse bs=1 seek=${40 * BLOCK} conv=notrunc status=none`)
      const seeks = await shOk(`python3 -c "
import errno, os
fd = os.open('${m.mnt}/sparse', os.O_RDONLY)
def seek(offset, whence):
    try:
        return os.lseek(fd, offset, whence)
    except OSError as error:
        return errno.errorcode[error.errno]
print(seek(0, os.SEEK_DATA), seek(0, os.SEEK_HOLE), seek(${10 * BLOCK + 7}, os.SEEK_DATA), seek(${10 * BLOCK}, os.SEEK_HOLE),
      seek(${11 * BLOCK}, os.SEEK_DATA), seek(${41 * BLOCK}, os.SEEK_DATA), seek(${41 * BLOCK}, os.SEEK_HOLE), seek(${64 * BLOCK}, os.SEEK_HOLE))"`)
      // The second write is not written out yet: buffered data counts as data too.
      assert.equal(seeks, `${10 * BLOCK} 0 ${10 * BLOCK + 7} ${11 * BLOCK} ${40 * BLOCK} ENXIO ${41 * BLOCK} ENXIO`)
      const copy = tempDir()
      await shOk(`cp --sparse=always ${m.mnt}/sparse ${copy}/sparse && cmp ${m.mnt}/sparse ${copy}/sparse`)
      assert.ok(Number(await shOk(`du -B1 ${copy}/sparse | cut -f1`)) < 4 * BLOCK, 'the copy has the holes')
    })
  })

  it('reclaims a file that was open and unlinked when the server died', async () => {
    await withMount({blockSizeBytes: BLOCK}, async (m) => {
      await shOk(`head -c ${3 * BLOCK} /dev/urandom > ${m.mnt}/doomed && sync ${m.mnt}/doomed`)
      // A reader of ours holds the file open while it is removed: its name goes, the inode stays
      // (an orphan) while it is open, still readable through the descriptor.
      const holder = spawn('bash', ['-c', `exec 3< ${m.mnt}/doomed; rm ${m.mnt}/doomed; ls -a ${m.mnt}; wc -c <&3; sleep 60`], {stdio: ['ignore', 'pipe', 'inherit']})
      try {
        let listing = ''
        await new Promise<void>((resolve) => holder.stdout!.on('data', (chunk: Buffer) => {
          listing += chunk.toString()
          if (/\d+\n$/.test(listing)) resolve()
        }))
        assert.equal(listing, `.\n..\n${3 * BLOCK}\n`)
        m.kill()
      } finally {
        const exited = new Promise((resolve) => holder.once('exit', resolve))
        holder.kill('SIGKILL')
        await exited
      }
      await m.mountAfterKill()
      assert.equal(await shOk(`ls -a ${m.mnt}`), '.\n..')
      await m.unmount()
      const left = await shOk(`find ${m.config.pools[0]!.drives[0]!.dir!}/shmr -name 'i2.*' | wc -l`)
      assert.equal(left, '0', 'its blocks were tombstoned and collected')
    })
  })

  it('survives kill -9 of the server after fsync', async () => {
    await withMount({blockSizeBytes: BLOCK}, async (m) => {
      const source = tempDir()
      await shOk(`head -c ${5 * BLOCK + 123} /dev/urandom > ${source}/data`)
      await shOk(`dd if=${source}/data of=${m.mnt}/synced bs=64k conv=fsync status=none`)
      await shOk(`mkdir ${m.mnt}/dir && sync ${m.mnt}/dir`)
      m.kill()
      await m.mountAfterKill() // the stale lock taken over
      assert.equal(await sha(`${m.mnt}/synced`), await sha(`${source}/data`))
      assert.ok(fs.statSync(`${m.mnt}/dir`).isDirectory())
    })
  })
})
