import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import {describe, it} from 'node:test'
import {MetaStore} from '../../src/lib/meta/metaStore.js'
import {shmr} from '../helpers/cli.js'
import {shOk, withMount, type MountedFs} from '../helpers/mounted.js'
import {killOnceStaged} from '../helpers/staged.js'
import {tempDir} from '../helpers/tempDir.js'
import {verifyClean} from '../helpers/verifyClean.js'

const KiB = 1024
const OPTIONS = {blockSizeBytes: 64 * KiB, archiveBlockSizeBytes: 256 * KiB}

async function run(m: MountedFs, ...args: string[]) {
  const result = await shmr([args[0]!, '-c', m.config.file, '--json', ...args.slice(1)])
  assert.equal(result.exitCode, 0, `${args.join(' ')}: ${result.stderr}`)
  return JSON.parse(result.stdout)
}

async function blockCounts(m: MountedFs): Promise<{blocks: number; blockSize: number | undefined; staged: number; tombstones: number}> {
  const store = await MetaStore.open(m.config.metadataDir, {readOnly: true})
  try {
    return {blocks: store.blockMaps.count(), blockSize: store.inodes.findInode(2)?.blockSizeBytes, staged: store.staged.count(), tombstones: store.tombstones.count()}
  } finally {
    await store.close()
  }
}

/** An 8 MiB file /f written through the mount, then a rewrite of it to 256K blocks killed once it staged blocks (unmounted); returns the directory of its reference copy. */
async function interruptedRewrite(m: MountedFs): Promise<string> {
  const source = tempDir()
  await shOk(`head -c ${8 * 1024 * KiB} /dev/urandom > ${source}/f && cp ${source}/f ${m.mnt}/f`)
  await m.unmount()
  await killOnceStaged(m.config.metadataDir, ['rewrite', '-c', m.config.file, '--block-size', '256K', '/f', '--rate', '1M'])
  return source
}

function shardFileCount(m: MountedFs): number {
  return m.config.pools.flatMap((pool) => pool.drives).reduce((sum, drive) =>
    sum + (fs.readdirSync(drive.dir!, {recursive: true}) as string[]).filter((file) => file.endsWith('.shard')).length, 0)
}

describe('shmr rewrite', () => {
  it('re-cuts a file up and down on the write pool and on the archive; data, block counts and leftovers as expected', async () => {
    await withMount(OPTIONS, async (m) => {
      const source = tempDir()
      await shOk(`head -c ${1024 * KiB + 5} /dev/urandom > ${source}/f && cp ${source}/f ${m.mnt}/f`)
      await m.unmount()
      const check = async (blocks: number, blockSize: number, shardsPerBlock: number): Promise<void> => {
        const counts = await blockCounts(m)
        assert.deepEqual(counts, {blocks, blockSize, staged: 0, tombstones: 0})
        assert.equal(shardFileCount(m), blocks * shardsPerBlock, 'no leftovers')
      }
      await check(17, 64 * KiB, 1)
      await run(m, 'rewrite', '--block-size', '256K', '/f')
      await check(5, 256 * KiB, 1)
      await run(m, 'rewrite', '--block-size', '64K', '/f')
      await check(17, 64 * KiB, 1)
      await run(m, 'shift', '/f')
      await check(5, 256 * KiB, 6)
      const up = await run(m, 'rewrite', '--block-size', '1M', '/f')
      assert.equal(up.files.shifted, 1)
      await check(2, 1024 * KiB, 6)
      await run(m, 'rewrite', '--block-size', '64K', '/f')
      await check(17, 64 * KiB, 6)
      assert.equal((await shmr(['rewrite', '-c', m.config.file, '--block-size', '3M', '/f'])).exitCode, 2, 'not a power of two')
      await m.mount()
      assert.equal(await shOk(`cmp ${source}/f ${m.mnt}/f && echo same`), 'same')
    })
  })

  it('survives kill -9 part way, and a rerun finishes', async () => {
    await withMount(OPTIONS, async (m) => {
      const source = await interruptedRewrite(m)
      const rerun = await run(m, 'rewrite', '--block-size', '256K', '/f')
      assert.ok(rerun.blocks.reused > 0, `blocks staged before the kill are reused (${JSON.stringify(rerun.blocks)})`)
      assert.deepEqual(await blockCounts(m), {blocks: 32, blockSize: 256 * KiB, staged: 0, tombstones: 0})
      assert.equal(shardFileCount(m), 32)
      await m.mount()
      assert.equal(await shOk(`cmp ${source}/f ${m.mnt}/f && echo same`), 'same')
    })
  })

  it('a file cut short after an interrupted rewrite still moves: the blocks staged past its new end go, their files tombstoned', async () => {
    await withMount(OPTIONS, async (m) => {
      const source = await interruptedRewrite(m)
      assert.ok((await blockCounts(m)).staged > 1, 'the killed rewrite staged blocks past the file\'s end to come')
      await m.mount()
      await shOk(`truncate -s 100000 ${m.mnt}/f && truncate -s 100000 ${source}/f && sync ${m.mnt}/f`)
      await m.unmount()
      // Before, the swap found more staged blocks than the file has and refused it at every run.
      const rewritten = await run(m, 'rewrite', '--block-size', '256K', '/f')
      assert.equal(rewritten.files.shifted, 1)
      assert.deepEqual(await blockCounts(m), {blocks: 1, blockSize: 256 * KiB, staged: 0, tombstones: 0})
      assert.equal(shardFileCount(m), 1, 'the stale staged blocks\' files were collected')
      await run(m, 'shift', '/f')
      await m.mount()
      assert.equal(await shOk(`cmp ${source}/f ${m.mnt}/f && echo same`), 'same')
      await m.unmount()
      await verifyClean(m)
    })
  })
})

describe('staged blocks no move can reuse', () => {
  it('gc drops those whose source block was written since, keeps the others, and the rerun reuses what is kept', async () => {
    await withMount(OPTIONS, async (m) => {
      const source = await interruptedRewrite(m)
      const staged = (await blockCounts(m)).staged
      assert.ok(staged > 1, `the killed rewrite staged blocks (${staged})`)
      await m.mount()
      // The first 64K block written anew: the staged 256K block cut from it (block 0) is stale.
      await shOk(`head -c 65536 /dev/urandom > ${source}/new && dd if=${source}/new of=${source}/f conv=notrunc status=none && ` +
        `dd if=${source}/new of=${m.mnt}/f conv=notrunc,fsync status=none`)
      await m.unmount()
      assert.equal((await run(m, 'gc', '--dry-run')).staleStagedBlocks, 1)
      assert.equal((await blockCounts(m)).staged, staged, 'a dry run changes nothing')
      assert.equal((await run(m, 'gc')).staleStagedBlocks, 1)
      assert.equal((await blockCounts(m)).staged, staged - 1)
      const rerun = await run(m, 'rewrite', '--block-size', '256K', '/f')
      assert.equal(rerun.blocks.reused, staged - 1, 'the staged blocks gc kept are reused')
      await m.mount()
      assert.equal(await shOk(`cmp ${source}/f ${m.mnt}/f && echo same`), 'same')
      await m.unmount()
      await verifyClean(m)
    })
  })
})

describe('staged blocks of a deleted file', () => {
  it('go with the file when it is deleted after an interrupted rewrite; gc drops those an older build left and verify reports them', async () => {
    await withMount(OPTIONS, async (m) => {
      await interruptedRewrite(m)
      assert.ok(shardFileCount(m) > 128, 'the rewrite wrote files of its own')
      await m.mount()
      await shOk(`rm ${m.mnt}/f`)
      await m.unmount()
      // The staged blocks went with the file, their files tombstoned and collected by the server at
      // stop; what is left is what the killed run wrote but had not staged yet, for gc.
      assert.deepEqual(await blockCounts(m), {blocks: 0, blockSize: undefined, staged: 0, tombstones: 0})
      const left = shardFileCount(m)
      assert.equal((await run(m, 'gc', '--grace', '0')).unreferenced.files, left)
      assert.equal(shardFileCount(m), 0)

      // What an older build left: staged rows of an inode that is gone.
      const store = await MetaStore.open(m.config.metadataDir)
      try {
        await store.transaction(() => store.staged.put([77, 0], {record: undefined, blockSizeBytes: 256 * KiB, sourceBlockSizeBytes: 64 * KiB, sources: [], sinceMs: 0}))
      } finally {
        await store.close()
      }
      const verify = await shmr(['verify', '-c', m.config.file, '--json'])
      assert.deepEqual(JSON.parse(verify.stdout).metadata.stagedOfMissingFiles, [77])
      assert.equal((await run(m, 'gc', '--dry-run')).stagedOfMissingFiles, 1)
      assert.equal((await blockCounts(m)).staged, 1, 'a dry run changes nothing')
      assert.equal((await run(m, 'gc')).stagedOfMissingFiles, 1)
      assert.equal((await blockCounts(m)).staged, 0)
    })
  })
})

describe('shmr gc', () => {
  it('removes planted orphans and tombstoned files past the grace period, and never a referenced file', async () => {
    await withMount(OPTIONS, async (m) => {
      const source = tempDir()
      await shOk(`head -c 300000 /dev/urandom > ${source}/f && cp ${source}/f ${m.mnt}/f`)
      await m.unmount()
      const drive = m.config.pools[1]!.drives[2]!.dir!
      const orphan = path.join(drive, 'shmr', '12', '34', 'i77.b0.z262144.g5.e4p2.d1.l1000.c0000abcd.shard')
      fs.mkdirSync(path.dirname(orphan), {recursive: true})
      fs.writeFileSync(orphan, Buffer.alloc(250))
      const young = path.join(drive, 'shmr', 'i78.b0.z262144.g6.e4p2.d1.l1000.c0000abcd.shard')
      fs.writeFileSync(young, Buffer.alloc(250))
      const hour = Date.now() / 1000 - 7200
      fs.utimesSync(orphan, hour, hour)
      const notShard = path.join(drive, 'shmr', 'notes.txt')
      fs.writeFileSync(notShard, 'mine')
      const before = shardFileCount(m)

      const dry = await run(m, 'gc', '--dry-run')
      assert.equal(dry.unreferenced.files, 1)
      assert.equal(dry.keptYoung, 1)
      assert.ok(fs.existsSync(orphan), 'a dry run deletes nothing')
      const done = await run(m, 'gc')
      assert.deepEqual(done.unreferenced.paths, [`smr2:shmr/12/34/${path.basename(orphan)}`])
      assert.ok(!fs.existsSync(orphan) && fs.existsSync(young) && fs.existsSync(notShard))
      assert.equal(shardFileCount(m), before - 1)
      const all = await run(m, 'gc', '--grace', '0')
      assert.equal(all.unreferenced.files, 1)
      assert.ok(!fs.existsSync(young))

      // Tombstones: delete a file through the mount, then gc with no grace.
      await m.mount()
      await shOk(`rm ${m.mnt}/f`)
      await shOk(`head -c 100000 /dev/urandom > ${m.mnt}/g`)
      await m.unmount()
      assert.equal(await run(m, 'gc', '--grace', '0').then((report) => report.unreferenced.files), 0)
      await m.mount()
      assert.equal(await shOk(`wc -c < ${m.mnt}/g`), '100000', 'referenced files untouched')
    })
  })
})
