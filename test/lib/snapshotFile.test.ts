import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {erasure} from '../../src/lib/blocks/topology.js'
import {FORMAT_VERSION, ROOT_INODE, SNAPSHOT_ROWS_PER_FRAME} from '../../src/lib/format/constants.js'
import {newInode} from '../../src/lib/init/newInode.js'
import {MetaStore} from '../../src/lib/meta/metaStore.js'
import {BadSnapshot, decodeSnapshot, decodeSnapshotHeader, packSnapshot} from '../../src/lib/recovery/snapshotFile.js'
import {tempDir} from '../helpers/tempDir.js'

/** A store of more rows than one frame holds, with names that are bytes, binary xattrs and chunk checksums. */
async function storeWithRows(files: number): Promise<MetaStore> {
  return MetaStore.create(tempDir(), {
    formatVersion: FORMAT_VERSION, uuid: '00000000-0000-4000-8000-000000000005', blockSizeBytes: 1 << 16, createdAt: new Date(0).toISOString(),
    drives: [{id: 1, name: 'ssd0', pool: 'write'}],
  }, (store) => {
    store.inodes.putInode(newInode({ino: ROOT_INODE, kind: 'dir', permissions: 0o755, uid: 0, gid: 0}))
    for (let ino = 2; ino < files + 2; ino++) {
      store.inodes.putInode(newInode({ino, kind: 'file', permissions: 0o644, uid: 1000, gid: 1000, blockSizeBytes: 1 << 16}))
      store.dirents.link(ROOT_INODE, `f\xff\xe9${ino}`, {ino, kind: 'file'})
      store.blockMaps.putBlock(ino, 0, {
        generation: ino, topology: erasure(2, 1), blockSizeBytes: 1 << 16, lengthBytes: 40_000,
        shards: [1, 1, 1].map((drive, k) => ({drive, crc32c: ino * 7 + k, chunkCrcs: Buffer.from([k, 1, 2, 3, 4, 5, 6, 7])})),
      })
    }
    store.xattrs.put([2, 'user.bin'], Buffer.from([0, 255, 10]))
    store.counters.put('nextInode', files + 2)
    store.counters.put('nextGeneration', files + 2)
  })
}

describe('metadata snapshot files', () => {
  it('hold the store exactly, across frames, and two snapshots of one state share a content checksum', async () => {
    const store = await storeWithRows(SNAPSHOT_ROWS_PER_FRAME + 10)
    try {
      const dump = store.dump()
      const packed = packSnapshot(dump)
      const bytes = packed.encode(7, '2026-12-05T00:00:00.000Z')
      const {header, dump: read} = decodeSnapshot(bytes)
      assert.equal(header.seq, 7)
      assert.ok(header.frames > 4, 'the inodes spread over two frames')
      assert.deepEqual(read.superblock, dump.superblock)
      for (const table of Object.keys(dump.tables) as Array<keyof typeof dump.tables>) {
        assert.deepEqual(read.tables[table].map(({key, value}) => [key, value]), dump.tables[table].map(({key, value}) => [key, value]), table)
      }
      assert.equal(packSnapshot(store.dump()).contentCrc, packed.contentCrc)
      assert.equal(decodeSnapshotHeader(packed.encode(8, '2027-01-01T00:00:00.000Z')).contentCrc, header.contentCrc)
    } finally {
      await store.close()
    }
  })

  it('are refused when any byte is wrong or any are missing', async () => {
    const store = await storeWithRows(50)
    try {
      const bytes = packSnapshot(store.dump()).encode(1, '2026-12-05T00:00:00.000Z')
      for (let at = 0; at < bytes.length; at += 97) {
        const damaged = Buffer.from(bytes)
        damaged.writeUInt8(damaged.readUInt8(at) ^ 0x40, at)
        assert.throws(() => decodeSnapshot(damaged), BadSnapshot, `byte ${at} flipped`)
      }
      for (const cut of [1, 9, bytes.length - 200, bytes.length - 1]) {
        assert.throws(() => decodeSnapshot(bytes.subarray(0, cut)), BadSnapshot, `cut to ${cut} bytes`)
      }
    } finally {
      await store.close()
    }
  })
})
