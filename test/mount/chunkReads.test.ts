import assert from 'node:assert/strict'
import fs from 'node:fs'
import {describe, it} from 'node:test'
import {CHUNK_BYTES} from '../../src/lib/format/constants.js'
import {shmr} from '../helpers/cli.js'
import {sh, shOk, withMount, type MountedFs} from '../helpers/mounted.js'
import {stoppedServerFigures} from '../helpers/prometheus.js'
import {tempDir} from '../helpers/tempDir.js'

const BLOCK = 65536 // four chunks

/**
 * Reads `reads` ranges of `mounted` at random and compares each with `reference`: lengths from 1
 * byte to 3 chunks, offsets mostly near chunk edges (starting or ending on one, a byte either side)
 * and at the file's end. Prints the ranges that differ or fail.
 */
const RANDOM_READS = `import os, random, sys
a = os.open(sys.argv[1], os.O_RDONLY); b = os.open(sys.argv[2], os.O_RDONLY); reads = int(sys.argv[3]); chunk = ${CHUNK_BYTES}
size = os.fstat(b).st_size; r = random.Random(7)
for i in range(reads):
    length = r.choice([1, 2, 100, 4096, chunk - 1, chunk, chunk + 1, 2 * chunk, 3 * chunk, r.randrange(1, 3 * chunk + 1)])
    edge = r.randrange(0, size // chunk + 1) * chunk + r.choice([-1, 0, 0, 1])
    offset = r.choice([edge, edge - length, r.randrange(0, size), size - length, size - 1])
    offset = min(max(offset, 0), size - 1)
    try:
        if os.pread(a, length, offset) != os.pread(b, length, offset): print('differs', offset, length)
    except OSError as error:
        print('fails', offset, length, error)
`

async function checkRandomReads(m: MountedFs, reference: string, reads: number): Promise<void> {
  const result = await sh(`python3 -c '${RANDOM_READS}' ${m.mnt}/f ${reference} ${reads}`)
  assert.equal(result.exitCode, 0, result.stderr)
  assert.equal(result.stdout, '', 'ranges that read wrong')
}

/** Bytes the stopped server read from its drives. */
function driveBytesRead(metadataDir: string): number {
  let bytes = 0
  for (const [name, value] of stoppedServerFigures(metadataDir)) if (name.startsWith('shmr_drive_read_bytes_total')) bytes += value
  return bytes
}

describe('reads by the chunk', () => {
  it('reads random ranges (1 byte to 3 chunks, on and across chunk edges) right, reading only their chunks, on the write pool and erasure-coded', {timeout: 180_000}, async () => {
    // 1 MiB blocks (64 chunks), 4 MiB on the archive (1 MiB shards), and a cache far smaller than
    // the file: read whole, nearly every read would cost a block.
    await withMount({blockSizeBytes: 1024 * 1024, archiveBlockSizeBytes: 4 * 1024 * 1024, mount: {cacheBytes: 16 * 1024 * 1024}}, async (m) => {
      const reference = `${tempDir()}/f`
      // 40 blocks and a short last one.
      await shOk(`head -c ${40 * 1024 * 1024 + 4560} /dev/urandom > ${reference} && cp ${reference} ${m.mnt}/f`)
      for (const where of ['write pool', 'archive 4+2'] as const) {
        if (where === 'archive 4+2') {
          await m.unmount()
          const shifted = await shmr(['shift', '-c', m.config.file, '/f'])
          assert.equal(shifted.exitCode, 0, shifted.stderr)
          await m.mount()
        } else {
          await m.remount()
        }
        await checkRandomReads(m, reference, 1500)
        await m.unmount()
        // Small reads of uncached blocks read their chunks (at most 4 chunks, 64 KiB, each), not
        // their blocks (1 MiB, or 4 MiB of a stripe).
        const read = driveBytesRead(m.config.metadataDir)
        assert.ok(read < 1500 * 4 * CHUNK_BYTES, `${where}: ${read} bytes read from the drives for 1500 small reads`)
        await m.mount()
        assert.equal(await shOk(`cmp ${reference} ${m.mnt}/f && echo same`), 'same', where)
      }
    })
  })

  it('reads only chunks of large archive blocks too: a random read near the last is not a sequential run that loads the next block', {timeout: 180_000}, async () => {
    // 16 MiB archive blocks: a random read within a block's length of the one before counted as
    // sequential and read the next 16 MiB ahead (64 MiB blocks: 840 IOPS where chunks give 3400).
    await withMount({blockSizeBytes: 1024 * 1024, archiveBlockSizeBytes: 16 * 1024 * 1024, mount: {cacheBytes: 64 * 1024 * 1024}}, async (m) => {
      const reference = `${tempDir()}/f`
      await shOk(`head -c ${128 * 1024 * 1024} /dev/urandom > ${reference} && cp ${reference} ${m.mnt}/f`)
      await m.unmount()
      const shifted = await shmr(['shift', '-c', m.config.file, '/f'])
      assert.equal(shifted.exitCode, 0, shifted.stderr)
      await m.mount()
      await checkRandomReads(m, reference, 600)
      await m.unmount()
      const read = driveBytesRead(m.config.metadataDir)
      // 600 reads of at most 4 chunks each are 37.5 MiB; a few whole blocks for runs that chance
      // makes look sequential (within 8 MiB, the read-ahead window) are allowed, not one in ten.
      assert.ok(read < 600 * 4 * CHUNK_BYTES + 4 * 16 * 1024 * 1024, `${read} bytes read from the drives for 600 small reads`)
    })
  })

  it('catches a flipped byte in a chunk by a read of that chunk: EIO on the write pool; erasure-coded, the rows read are rebuilt from the other shards', async () => {
    await withMount({blockSizeBytes: BLOCK, archiveBlockSizeBytes: 4 * BLOCK}, async (m) => {
      const reference = `${tempDir()}/f`
      await shOk(`head -c ${8 * BLOCK} /dev/urandom > ${reference} && cp ${reference} ${m.mnt}/f`)
      const flip = (file: string, at: number): void => {
        const fd = fs.openSync(file, 'r+')
        const byte = Buffer.alloc(1)
        fs.readSync(fd, byte, 0, 1, at)
        byte[0] = byte[0]! ^ 0x40
        fs.writeSync(fd, byte, 0, 1, at)
        fs.closeSync(fd)
      }
      const blockFiles = (dir: string, pattern: RegExp): string[] => (fs.readdirSync(dir, {recursive: true}) as string[]).filter((name) => pattern.test(name)).map((name) => `${dir}/${name}`)
      const read = (offset: number, length: number): Promise<{exitCode: number; stdout: string; stderr: string}> =>
        sh(`python3 -c 'import os, sys; fd = os.open(sys.argv[1], os.O_RDONLY); os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_RANDOM); sys.stdout.write(os.pread(fd, ${length}, ${offset}).hex())' ${m.mnt}/f`)
      const expected = (offset: number, length: number): string => fs.readFileSync(reference).subarray(offset, offset + length).toString('hex')

      // Block 3 on the write pool, its chunk 2 damaged; its chunk 0 still reads.
      await m.unmount()
      flip(blockFiles(m.config.pools[0]!.drives[0]!.dir!, /\.b3\..*\.shard$/)[0]!, 2 * CHUNK_BYTES + 5)
      await m.mount()
      const intact = await read(3 * BLOCK + 100, 4096)
      assert.equal(intact.stdout, expected(3 * BLOCK + 100, 4096), `an intact chunk of the damaged block: ${intact.stderr}`)
      const damaged = await read(3 * BLOCK + 2 * CHUNK_BYTES, 4096)
      assert.notEqual(damaged.exitCode, 0, 'the damaged chunk is not read as if it were right')
      assert.match(damaged.stderr, /Input\/output error/)

      const verify = await shmr(['verify', '-c', m.config.file])
      assert.notEqual(verify.exitCode, 0, 'verify finds the damaged block')
      assert.match(verify.stdout + verify.stderr, /checksum mismatch/)

      // Erasure-coded 4+2 (shards of 4 chunks), data shard 1's chunk 1 damaged: a read there is
      // right all the same, rebuilt from parity, and the log says so.
      await shOk(`cp ${reference} ${m.mnt}/g && sync ${m.mnt}/g`)
      const ino = Number(await shOk(`stat -c %i ${m.mnt}/g`))
      await m.unmount()
      const shifted = await shmr(['shift', '-c', m.config.file, '/g'])
      assert.equal(shifted.exitCode, 0, shifted.stderr)
      const shard = m.config.pools[1]!.drives.flatMap((drive) => blockFiles(drive.dir!, new RegExp(`^(.*/)?i${ino}\\.b0\\..*\\.d1\\.`)))[0]!
      flip(shard, CHUNK_BYTES + 10)
      await m.mount()
      const g = await sh(`python3 -c 'import os, sys; fd = os.open(sys.argv[1], os.O_RDONLY); os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_RANDOM); sys.stdout.write(os.pread(fd, 4096, ${BLOCK + CHUNK_BYTES}).hex())' ${m.mnt}/g`)
      assert.equal(g.stdout, expected(BLOCK + CHUNK_BYTES, 4096))
      // Only the rows read, not the block: the log says which.
      assert.match(fs.readFileSync(`${m.config.metadataDir}/mount.log`, 'utf8'), new RegExp(`file ${ino} block 0: rebuilt the rows read of shard 1 \\(checksum mismatch\\) from the other shards`))
      await m.unmount()
      const degradedBytes = driveBytesRead(m.config.metadataDir)
      assert.ok(degradedBytes <= 6 * CHUNK_BYTES, `${degradedBytes} bytes read from the drives for one degraded 4 KiB read (a chunk of each shard at most)`)
    })
  })
})
