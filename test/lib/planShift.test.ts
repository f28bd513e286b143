import assert from 'node:assert/strict'
import {constants} from 'node:fs'
import {after, before, describe, it} from 'node:test'
import {ROOT_INODE} from '../../src/lib/format/constants.js'
import {ShmrFs} from '../../src/lib/fs/shmrFs.js'
import {planShift} from '../../src/lib/shift/planShift.js'
import type {Destination} from '../../src/lib/shift/shiftFile.js'
import {openFixture, type OpenFixture} from '../helpers/openFixture.js'

let fx: OpenFixture
let shmr: ShmrFs
before(async () => {
  fx = await openFixture({})
  shmr = new ShmrFs(fx.store, fx.blocks, fx.pools, {cacheBytes: 16 * 1024 * 1024, flushAfterMs: 600_000, maxFlushing: 4}, () => {})
})
after(async () => { await fx.store.close() })

async function storedFile(name: string, bytes: number): Promise<number> {
  const handle = await shmr.createFile(ROOT_INODE, name, 0o644, constants.O_WRONLY)
  await shmr.data.write(handle.id, Buffer.alloc(bytes, 7), bytes, 0)
  await shmr.data.syncFile(handle.file.ino)
  await shmr.data.release(handle.id)
  return handle.file.ino
}

describe('the plan of a shift', () => {
  it('leaves out a file deleted after the targets were walked (inside a server the mount deletes meanwhile)', async () => {
    const kept = await storedFile('kept', 100_000)
    const gone = await storedFile('gone', 100_000)
    await shmr.namespace.remove(ROOT_INODE, 'gone', 'file')
    const pool = fx.pools.pools.find((candidate) => candidate.role === 'archive')!
    const destination: Destination = {pool, topology: pool.topology, blockSizeBytes: pool.blockSizeBytes}
    const plan = await planShift(fx.store, fx.pools, [{ino: gone, label: '/gone'}, {ino: kept, label: '/kept'}], () => destination)
    assert.deepEqual(plan.files.map((file) => [file.label, file.action]), [['/kept', 'shift']])
    assert.equal(plan.bytesToShift, 100_000)
  })
})
