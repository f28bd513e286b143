import assert from 'node:assert/strict'
import fs from 'node:fs'
import {after, before, describe, it} from 'node:test'
import type {BlockAddress} from '../../src/lib/blocks/blockStore.js'
import {replaceBlock} from '../../src/lib/fs/blockMapEdits.js'
import {collectTombstones} from '../../src/lib/gc/collectTombstones.js'
import {TombstoneReclaimer} from '../../src/lib/gc/tombstoneReclaimer.js'
import type {BlockRecord, Tombstone} from '../../src/lib/meta/records.js'
import {openFixture, type OpenFixture} from '../helpers/openFixture.js'
import {patternBytes} from '../helpers/tempDir.js'
import {filePath} from '../helpers/drivePaths.js'

let fx: OpenFixture
let generation = 1
const INO = 1
before(async () => { fx = await openFixture() })
after(async () => { await fx.store.close() })

async function writeGeneration(index: number, seed: number): Promise<BlockRecord> {
  const record = await fx.blocks.writeBlock(fx.pools.writePool, {fileId: INO, blockIndex: index}, 65536, generation++, patternBytes(65536, seed))
  assert.ok(record)
  return record
}

/** Commits `record` as block `index` of the root inode (a stand-in file), burying what it replaces. */
async function commit(index: number, previous: BlockRecord | undefined, record: BlockRecord): Promise<void> {
  await fx.store.transaction(() => replaceBlock(fx.store, fx.blocks, INO, index, previous?.generation, record, Date.now()))
}

const filesOf = (index: number, record: BlockRecord): string[] =>
  fx.blocks.filesOf({fileId: INO, blockIndex: index}, record).map((file) => filePath(fx.pools, file))

describe('reclaiming superseded block files', () => {
  it('deletes the files a commit superseded once that commit is durable, and drops their tombstones', async () => {
    const reclaimer = new TombstoneReclaimer(fx.store, fx.blocks, fx.pools, (line) => assert.fail(line))
    let told: readonly Tombstone[] = []
    fx.store.onBuried = (tombstones) => {
      told = tombstones
      reclaimer.reclaim(tombstones)
    }
    try {
      const first = await writeGeneration(0, 1)
      await commit(0, undefined, first)
      assert.equal(told.length, 0, 'nothing superseded yet')
      const second = await writeGeneration(0, 2)
      await commit(0, first, second)
      assert.deepEqual(told.map((tombstone) => tombstone.path), fx.blocks.filesOf({fileId: INO, blockIndex: 0}, first).map((file) => file.path))
      await reclaimer.settled()
      for (const file of filesOf(0, first)) assert.equal(fs.existsSync(file), false, `${file} is deleted`)
      for (const file of filesOf(0, second)) assert.ok(fs.existsSync(file), `${file} stays`)
      assert.equal(fx.store.tombstones.all().length, 0)
    } finally {
      fx.store.onBuried = undefined
    }
  })

  it('a rolled-back transaction tells of no tombstones', async () => {
    let told = 0
    fx.store.onBuried = (tombstones) => { told += tombstones.length }
    try {
      const record = await writeGeneration(5, 3)
      await assert.rejects(commit(5, {...record, generation: 999_999}, record), /changed underneath/)
      assert.equal(told, 0)
    } finally {
      fx.store.onBuried = undefined
    }
  })

  it('keeps the files of a generation that a read is using, for a later collection', async () => {
    const old = await writeGeneration(1, 4)
    await commit(1, undefined, old)
    const replacement = await writeGeneration(1, 5)
    await commit(1, old, replacement)
    const buried = fx.store.tombstones.all()
    assert.equal(buried.length, 1)
    const at: BlockAddress = {fileId: INO, blockIndex: 1}
    // The read counts from its first step, as a mount's read does right after looking the record up.
    const out = Buffer.alloc(65536)
    const reading = fx.blocks.readBlock(at, old, out)
    const whileReading = await collectTombstones(fx.store, fx.pools, 0, {only: buried, blocks: fx.blocks})
    await reading
    assert.equal(whileReading.files, 0, 'kept while the read ran')
    assert.ok(out.equals(patternBytes(65536, 4)), 'the read got the old generation whole')
    const afterwards = await collectTombstones(fx.store, fx.pools, 0, {only: buried, blocks: fx.blocks})
    assert.equal(afterwards.files, 1)
    for (const file of filesOf(1, old)) assert.equal(fs.existsSync(file), false)
  })
})
