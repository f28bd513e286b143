import assert from 'node:assert/strict'
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import {after, before, describe, it} from 'node:test'
import {mirror, type Topology} from '../../src/lib/blocks/topology.js'
import {runDecode} from '../../src/lib/decode/runDecode.js'
import {formatShardName} from '../../src/lib/format/shardName.js'
import {hasStackTrace, shmr} from '../helpers/cli.js'
import {erasure, SINGLE} from '../helpers/fixtureFs.js'
import {sh} from '../helpers/mounted.js'
import {openFixture, type OpenFixture} from '../helpers/openFixture.js'
import {patternBytes, subsetsUpTo, tempDir} from '../helpers/tempDir.js'
import {filePath} from '../helpers/drivePaths.js'

const BLOCK = 64 * 1024
let fx: OpenFixture
let generation = 1
before(async () => { fx = await openFixture({archiveDrives: 6, writeDrives: 2}) })
after(async () => { await fx.store.close() })

const sha = (bytes: Buffer): string => crypto.createHash('sha256').update(bytes).digest('hex')

/** Stores `data` as file `fileId` in BLOCK-sized blocks (all-zero blocks stay holes); returns a directory holding just its shard files. */
async function storeFile(fileId: number, data: Buffer, topology: Topology, pool = 'archive'): Promise<string> {
  const dir = tempDir()
  for (let index = 0; index * BLOCK < data.length; index++) {
    const address = {fileId, blockIndex: index}
    const record = await fx.blocks.writeBlock(fx.pools.pool(pool), address, BLOCK, generation++, data.subarray(index * BLOCK, (index + 1) * BLOCK), topology)
    if (!record) continue
    for (const file of fx.blocks.filesOf(address, record)) {
      fs.copyFileSync(filePath(fx.pools, file), path.join(dir, path.basename(file.path)))
    }
  }
  return dir
}

/** A copy of `dir` without the shard files whose names match. */
function without(dir: string, drop: (name: string) => boolean): string {
  const copy = tempDir()
  for (const name of fs.readdirSync(dir)) if (!drop(name)) fs.copyFileSync(path.join(dir, name), path.join(copy, name))
  return copy
}

async function decodeToFile(dirs: string[], partial = false, fileId?: number): Promise<{bytes: Buffer; report: Awaited<ReturnType<typeof runDecode>>}> {
  const output = path.join(tempDir(), 'out')
  const report = await runDecode({dirs, output, partial, fileId})
  return {bytes: fs.readFileSync(output), report}
}

// 3 full blocks and a short one whose last data shard is short (4001 bytes: shards of 1001, the last 998 + 3 padding).
const multi = patternBytes(3 * BLOCK + 4001, 11)

describe('shmr decode', () => {
  it('refuses an s3:// location without --endpoint, and a bad --endpoint, in one line each', async () => {
    const out = path.join(tempDir(), 'out')
    const bare = await shmr(['decode', 's3://shmr-b0/drive', '-o', out])
    assert.equal(bare.exitCode, 2)
    assert.match(bare.stderr, /s3:\/\/shmr-b0\/drive is in an object store: say which/)
    assert.match(bare.stderr, /--endpoint/)
    const bad = await shmr(['decode', '--endpoint', 'ftp://x', 's3://shmr-b0', '-o', out], {env: {AWS_ACCESS_KEY_ID: 'k', AWS_SECRET_ACCESS_KEY: 's'}})
    assert.equal(bad.exitCode, 2)
    assert.match(bad.stderr, /endpoint ftp:\/\/x must start with http:\/\/ or https:\/\//)
    for (const result of [bare, bad]) assert.ok(!hasStackTrace(result.stderr), result.stderr)
    assert.equal(fs.existsSync(out), false)
  })

  it('rebuilds a 4+2 file from a complete shard set, through the CLI, to a file and to stdout', async () => {
    const dir = await storeFile(100, multi, erasure(4, 2))
    const out = path.join(tempDir(), 'film')
    const result = await shmr(['decode', dir, '-o', out])
    assert.equal(result.exitCode, 0, result.stderr)
    assert.equal(sha(fs.readFileSync(out)), sha(multi))
    const piped = await sh(`node ${path.resolve('bin/run.js')} decode ${dir} | sha256sum`)
    assert.equal(piped.stdout.split(' ')[0], sha(multi))
  })

  for (const lost of subsetsUpTo(6, 2).slice(1)) {
    it(`rebuilds the file with shards [${lost.join(',')}] of every block missing`, async () => {
      const dir = await storeFile(101, multi, erasure(4, 2))
      const roles = lost.map((i) => (i < 4 ? `.d${i}.` : `.p${i - 4}.`))
      const {bytes, report} = await decodeToFile([without(dir, (name) => roles.some((role) => name.includes(role)))])
      assert.equal(sha(bytes), sha(multi))
      assert.equal(report.lost.length, 0)
    })
  }

  it('rebuilds around a flipped byte in a data shard and in a parity shard, and says so', async () => {
    const dir = await storeFile(102, multi, erasure(4, 2))
    for (const role of ['.b1.', '.b2.']) {
      const name = fs.readdirSync(dir).find((candidate) => candidate.includes(role) && candidate.includes(role === '.b1.' ? '.d2.' : '.p0.'))!
      const bytes = fs.readFileSync(path.join(dir, name))
      bytes[5]! ^= 0x80
      fs.writeFileSync(path.join(dir, name), bytes)
    }
    const {bytes, report} = await decodeToFile([dir])
    assert.equal(sha(bytes), sha(multi))
    assert.deepEqual(report.repaired.map((issue) => [issue.block, issue.shards.map((s) => `${s.shard} ${s.fault}`)]), [[1, ['d2 checksum mismatch']]],
      'the flipped data shard is rebuilt; the flipped parity shard is never read')
  })

  it('tells two files in one directory apart: --list, a refusal without --file, and --file', async () => {
    const a = await storeFile(103, multi, erasure(4, 2))
    const other = patternBytes(BLOCK + 7, 12)
    const b = await storeFile(104, other, erasure(4, 2))
    for (const name of fs.readdirSync(b)) fs.copyFileSync(path.join(b, name), path.join(a, name))
    const list = await shmr(['decode', '--list', a])
    assert.equal(list.exitCode, 0, list.stderr)
    assert.match(list.stdout, /^103 +4 +195\.9K +64K +4\+2 +complete$/m)
    assert.match(list.stdout, /^104 +2 +64\.0K +64K +4\+2 +complete$/m)
    const ambiguous = await shmr(['decode', a, '-o', path.join(tempDir(), 'x')])
    assert.equal(ambiguous.exitCode, 2)
    assert.match(ambiguous.stderr, /^shmr: shards of 2 files are here \(ids 103, 104\)\nhint: choose one with --file ID/)
    assert.equal(sha((await decodeToFile([a], false, 104)).bytes), sha(other))
  })

  it('rebuilds a sparse file with holes, and the output stays sparse', async () => {
    const sparse = Buffer.alloc(40 * BLOCK)
    patternBytes(BLOCK, 13).copy(sparse, 3 * BLOCK)
    patternBytes(100, 14).copy(sparse, 39 * BLOCK + 5)
    const dir = await storeFile(105, sparse.subarray(0, 39 * BLOCK + 105), erasure(4, 2))
    assert.equal(fs.readdirSync(dir).length, 2 * 6, 'only the two non-zero blocks are stored')
    const output = path.join(tempDir(), 'sparse')
    const report = await runDecode({dirs: [dir], output, partial: false})
    assert.equal(sha(fs.readFileSync(output)), sha(sparse.subarray(0, 39 * BLOCK + 105)))
    assert.equal(report.holeBytes, 38 * BLOCK)
    assert.ok(fs.statSync(output).blocks * 512 < 8 * BLOCK, 'holes were seeked over, not written')
  })

  it('rebuilds single blocks and mirrored blocks from any intact copy', async () => {
    const single = await storeFile(106, multi, SINGLE, 'write')
    assert.equal(sha((await decodeToFile([single])).bytes), sha(multi))
    const mirrored = await storeFile(107, multi, mirror(2), 'write')
    assert.equal(fs.readdirSync(mirrored).length, 8)
    const {bytes, report} = await decodeToFile([without(mirrored, (name) => /\.b[02]\..*\.m0\./.test(name) || /\.b1\..*\.m1\./.test(name))])
    assert.equal(sha(bytes), sha(multi))
    assert.equal(report.repaired.length, 2, 'blocks 0 and 2 came from their second copy')
  })

  it('fails naming the block and its missing shards when parity cannot cover, leaving no output; --partial writes zeros there', async () => {
    const dir = without(await storeFile(108, multi, erasure(4, 2)), (name) => name.includes('.b2.') && /\.(d0|d3|p1)\./.test(name))
    const out = path.join(tempDir(), 'film')
    const failed = await shmr(['decode', dir, '-o', out])
    assert.equal(failed.exitCode, 5)
    assert.match(failed.stderr, /^shmr: file 108 cannot be rebuilt: 1 block\(s\) lost beyond what parity covers\n {2}block 2: d0 missing, d3 missing, p1 missing\nhint: /)
    assert.ok(!hasStackTrace(failed.stderr))
    assert.deepEqual(fs.readdirSync(path.dirname(out)), [], 'no output file, not even a temporary one')
    const partial = await shmr(['decode', dir, '-o', out, '--partial', '--json'])
    assert.equal(partial.exitCode, 0, partial.stderr)
    assert.deepEqual(JSON.parse(partial.stdout).lost.map((issue: {block: number}) => issue.block), [2])
    const expected = Buffer.from(multi)
    expected.fill(0, 2 * BLOCK, 3 * BLOCK)
    assert.equal(sha(fs.readFileSync(out)), sha(expected))
  })

  describe('shard names are claims to check', () => {
    /** Writes a shard file named by `name` holding `bytes` into `dir`; returns its path. */
    const plant = (dir: string, name: Parameters<typeof formatShardName>[0], bytes: Buffer): string => {
      const file = path.join(dir, formatShardName(name))
      fs.writeFileSync(file, bytes)
      return file
    }
    const real = {fileId: 110, blockSizeBytes: BLOCK, generation: 1, lengthBytes: BLOCK, crc32c: 0x1234}

    it('sets aside a shard that tells another story than its block\'s other shards, and decodes the file', async () => {
      const dir = await storeFile(110, multi, erasure(4, 2))
      const generation = Number(/\.g(\d+)\./.exec(fs.readdirSync(dir).find((name) => name.includes('.b1.'))!)![1])
      // Same block and generation, another scheme: once a TypeError for every file in the directories.
      const stray = plant(dir, {...real, blockIndex: 1, generation, topology: erasure(2, 1), shardIndex: 2, lengthBytes: BLOCK}, Buffer.alloc(BLOCK / 2))
      const out = path.join(tempDir(), 'film')
      const result = await shmr(['decode', dir, '-o', out, '--json'])
      assert.equal(result.exitCode, 0, result.stderr)
      assert.equal(sha(fs.readFileSync(out)), sha(multi))
      assert.deepEqual(JSON.parse(result.stdout).setAside.map((shard: {file: string}) => shard.file), [stray])
      assert.match((await shmr(['decode', '--list', dir])).stdout, new RegExp(`set aside 1 shard file\\(s\\)[^\\n]*\\n  ${stray}: it says e2p1 l${BLOCK}, 6 shard\\(s\\) of block 1 generation \\d+ say e4p2 l${BLOCK}`))
    })

    it('sets aside names claiming sizes shmr never writes, or a block past the largest file, and never streams them', async () => {
      const dir = await storeFile(111, multi, erasure(4, 2))
      plant(dir, {...real, fileId: 111, blockIndex: 0, blockSizeBytes: 2 ** 33, lengthBytes: 2 ** 33, topology: SINGLE, shardIndex: 0}, Buffer.alloc(1))
      plant(dir, {...real, fileId: 111, blockIndex: 2 ** 40, topology: SINGLE, shardIndex: 0, lengthBytes: 1}, Buffer.alloc(1))
      plant(dir, {...real, fileId: 111, blockIndex: 9, topology: SINGLE, shardIndex: 0, lengthBytes: 10}, Buffer.alloc(3))
      const piped = await sh(`node ${path.resolve('bin/run.js')} decode ${dir} | sha256sum`)
      assert.equal(piped.stdout.split(' ')[0], sha(multi))
      assert.match(piped.stderr, /set aside 3 shard file\(s\)/)
      assert.match(piped.stderr, /its block size 8589934592 is not one shmr writes/)
      assert.match(piped.stderr, /block 1099511627776 would end past the largest file shmr stores/)
      assert.match(piped.stderr, /it is 3 bytes, its name says 10/)

      // A file of nothing but such names: one line, no output, not even a temporary file.
      const junk = tempDir()
      plant(junk, {...real, fileId: 112, blockIndex: 2 ** 40, topology: SINGLE, shardIndex: 0, lengthBytes: 1}, Buffer.alloc(1))
      const out = path.join(tempDir(), 'film')
      const refused = await shmr(['decode', junk, '-o', out])
      assert.equal(refused.exitCode, 5)
      assert.match(refused.stderr, /^shmr: file 112 has no shard file whose name can be believed\n/)
      assert.ok(!hasStackTrace(refused.stderr))
      assert.deepEqual(fs.readdirSync(path.dirname(out)), [])
      const tooLong = await shmr(['decode', dir, '-o', out, '--size', '1P'])
      assert.match(tooLong.stderr, /^shmr: --size \d+ is past the largest file shmr stores/)
      assert.deepEqual(fs.readdirSync(path.dirname(out)), [])
    })

    it('keeps the real data when one stray shard of another layout or a newer generation lies about its bytes', async () => {
      const dir = await storeFile(113, multi, erasure(4, 2))
      // A 1-byte shard of another block size, past the real file's end: it covered the most of the file, so it won.
      plant(dir, {...real, fileId: 113, blockSizeBytes: 1024 * 1024, blockIndex: 7, topology: SINGLE, shardIndex: 0, lengthBytes: 1}, Buffer.alloc(1))
      // A newer generation of block 0 whose only shard does not hold what its name's CRC says.
      const liar = plant(dir, {...real, fileId: 113, blockIndex: 0, generation: 2 ** 40, topology: SINGLE, shardIndex: 0, lengthBytes: BLOCK}, Buffer.alloc(BLOCK, 7))
      const out = path.join(tempDir(), 'film')
      const result = await shmr(['decode', dir, '-o', out, '--json'])
      assert.equal(result.exitCode, 0, result.stderr)
      assert.equal(sha(fs.readFileSync(out)), sha(multi))
      assert.deepEqual(JSON.parse(result.stdout).setAside, [{file: liar, reason: `not one shard of block 0 generation ${2 ** 40} holds what its name promises`}])
    })
  })

  it('refuses an output in a missing directory or onto a directory before reading a shard: one line, exit 2, nothing written', async () => {
    const dir = await storeFile(110, multi, erasure(4, 2))
    const into = tempDir()
    for (const [output, message] of [[path.join(into, 'missing', 'out'), /directory .*missing does not exist/], [into, /is a directory/]] as const) {
      const result = await shmr(['decode', dir, '-o', output])
      assert.equal(result.exitCode, 2, result.stderr)
      assert.match(result.stderr, message)
      assert.ok(!hasStackTrace(result.stderr), result.stderr)
      assert.deepEqual(fs.readdirSync(into), [], 'nothing written')
    }
  })

  it('refuses to write binary data to a terminal', async (t) => {
    if ((await sh('command -v script')).exitCode !== 0) return t.skip('script(1) is not installed, so no terminal can be simulated')
    const dir = await storeFile(109, multi, erasure(4, 2))
    const result = await sh(`script -qec "node ${path.resolve('bin/run.js')} decode ${dir}" /dev/null`)
    assert.notEqual(result.exitCode, 0)
    assert.match(result.stdout, /refusing to write binary data to a terminal/)
  })
})
