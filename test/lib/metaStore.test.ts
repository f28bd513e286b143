import assert from 'node:assert/strict'
import path from 'node:path'
import {describe, it} from 'node:test'
import {open} from 'lmdb'
import {erasure} from '../../src/lib/blocks/topology.js'
import {isShmrError} from '../../src/lib/errors.js'
import {FORMAT_VERSION, ROOT_INODE} from '../../src/lib/format/constants.js'
import {newInode} from '../../src/lib/init/newInode.js'
import {META_FILE, MetaStore} from '../../src/lib/meta/metaStore.js'
import type {BlockRecord, Superblock} from '../../src/lib/meta/records.js'
import {tempDir} from '../helpers/tempDir.js'

const superblock = (formatVersion = FORMAT_VERSION): Superblock => ({
  formatVersion, uuid: '00000000-0000-4000-8000-000000000001', blockSizeBytes: 1 << 20, createdAt: new Date(0).toISOString(),
  drives: [{id: 1, name: 'ssd0', pool: 'write'}],
})

async function freshStore(): Promise<MetaStore> {
  return MetaStore.create(tempDir(), superblock(), (store) => {
    store.inodes.putInode(newInode({ino: ROOT_INODE, kind: 'dir', permissions: 0o755, uid: 0, gid: 0}))
    store.counters.put('nextInode', 2)
    store.counters.put('nextGeneration', 1)
  })
}

const record = (generation: number): BlockRecord => ({
  generation, topology: erasure(4, 2), blockSizeBytes: 1 << 20, lengthBytes: 1000, shards: [1, 2, 3, 4, 5, 6].map((drive) => ({drive, crc32c: drive * 11})),
})

describe('metadata store', () => {
  it('keeps what a transaction wrote across close and reopen', async () => {
    const store = await freshStore()
    const ino = await store.transaction(() => {
      const taken = store.counters.take('nextInode')
      store.inodes.putInode(newInode({ino: taken, kind: 'file', permissions: 0o644, uid: 0, gid: 0, blockSizeBytes: 1 << 20}))
      store.dirents.link(ROOT_INODE, 'a.mkv', {ino: taken, kind: 'file'})
      store.blockMaps.putBlock(taken, 0, record(1))
      return taken
    })
    await store.close()
    const reopened = await MetaStore.open(store.dir)
    assert.equal(reopened.dirents.lookup(ROOT_INODE, 'a.mkv')?.ino, ino)
    assert.deepEqual(reopened.blockMaps.findBlock(ino, 0), record(1))
    assert.equal(reopened.counters.current('nextInode'), ino + 1)
    assert.equal(reopened.superblock.uuid, superblock().uuid)
    await reopened.close()
  })

  it('aborts a throwing transaction whole', async () => {
    const store = await freshStore()
    await assert.rejects(store.transaction(() => {
      store.dirents.link(ROOT_INODE, 'half', {ino: 99, kind: 'file'})
      store.counters.take('nextInode', 5)
      throw new Error('boom')
    }), /boom/)
    assert.equal(store.dirents.lookup(ROOT_INODE, 'half'), undefined)
    assert.equal(store.counters.current('nextInode'), 2)
    await store.close()
  })

  it('lists a directory by range scan in name order, and pages through it', async () => {
    const store = await freshStore()
    const names = ['b', 'a', 'c', 'aa', 'Z', 'ü', '']
    await store.transaction(() => {
      for (const [i, name] of names.filter(Boolean).entries()) store.dirents.link(ROOT_INODE, name, {ino: 10 + i, kind: 'file'})
      store.dirents.link(ROOT_INODE + 1, 'other-dir-entry', {ino: 50, kind: 'file'})
      store.dirents.link(ROOT_INODE - 1 + 0, 'before', {ino: 51, kind: 'file'})
    })
    const listed = store.dirents.list(ROOT_INODE).map((entry) => entry.name)
    assert.deepEqual(listed, [...names.filter(Boolean)].sort())
    assert.deepEqual(store.dirents.list(ROOT_INODE, {afterName: 'a', limit: 2}).map((entry) => entry.name), ['aa', 'b'])
    assert.equal(store.dirents.isEmpty(ROOT_INODE + 2), true)
    assert.equal(store.dirents.isEmpty(ROOT_INODE), false)
    await store.close()
  })

  it('scans one file\'s block map in block order, holes absent', async () => {
    const store = await freshStore()
    await store.transaction(() => {
      for (const index of [5, 0, 12, 2]) store.blockMaps.putBlock(7, index, record(index + 1))
      store.blockMaps.putBlock(8, 0, record(100))
    })
    assert.deepEqual(store.blockMaps.blocksOf(7).map((entry) => entry.index), [0, 2, 5, 12])
    assert.deepEqual(store.blockMaps.blocksOf(7, 2, 12).map((entry) => entry.index), [2, 5])
    // A range of one block: the block with its record, or nothing for a hole.
    assert.deepEqual(store.blockMaps.blocksOf(7, 5, 6), [{index: 5, record: store.blockMaps.findBlock(7, 5)}])
    assert.equal(store.blockMaps.blocksOf(7, 5, 6)[0]!.record.generation, 6)
    assert.deepEqual(store.blockMaps.blocksOf(7, 6, 7), [])
    assert.deepEqual(store.blockMaps.blocksOf(8, 0, 1).map((entry) => entry.index), [0])
    await store.close()
  })

  it('compare-and-swaps a block record on its generation', async () => {
    const store = await freshStore()
    await store.transaction(() => store.blockMaps.putBlock(7, 0, record(1)))
    const swap = (expected: number, next: number): Promise<boolean> => store.transaction(() => {
      if (store.blockMaps.findBlock(7, 0)?.generation !== expected) return false
      store.blockMaps.putBlock(7, 0, record(next))
      return true
    })
    assert.equal(await swap(1, 2), true)
    assert.equal(await swap(1, 3), false, 'a stale generation does not commit')
    assert.equal(store.blockMaps.findBlock(7, 0)?.generation, 2)
    await store.close()
  })

  it('refuses a store written by a newer format, and an older one it cannot migrate', async () => {
    for (const [version, code] of [[FORMAT_VERSION + 1, 'FORMAT_TOO_NEW'], [0, 'FORMAT_TOO_OLD']] as const) {
      const dir = tempDir()
      const store = await MetaStore.create(dir, superblock(version), () => {})
      await store.close()
      await assert.rejects(MetaStore.open(dir), (error) => isShmrError(error, code) && error.message.includes(`format version ${version}`))
    }
  })

  it('writes values as plain msgpack maps, still reads the records of format 6, and keeps the superblock readable by an older shmr', async () => {
    const dir = tempDir()
    const old = await MetaStore.create(dir, superblock(6), () => {})
    await old.close()
    // What format 6 wrote: lmdb-js's default encoding, msgpackr records with their definitions inline.
    const before = open({path: path.join(dir, META_FILE), maxDbs: 16, compression: false})
    const format6 = newInode({ino: 2, kind: 'file', permissions: 0o644, uid: 0, gid: 0, blockSizeBytes: 1 << 20})
    await before.openDB({name: 'inodes'}).put(2, format6)
    await before.close()

    const store = await MetaStore.open(dir)
    try {
      assert.equal(store.superblock.formatVersion, FORMAT_VERSION)
      assert.deepEqual(store.inodes.getInode(2), format6, 'a format 6 record reads as it was written')
      await store.transaction(() => store.inodes.putInode(newInode({ino: 3, kind: 'dir', permissions: 0o755, uid: 0, gid: 0})))
    } finally {
      await store.close()
    }
    const raw = open({path: path.join(dir, META_FILE), maxDbs: 16, readOnly: true, compression: false})
    try {
      const bytes = (key: number): Buffer => raw.openDB<Buffer, number>({name: 'inodes', encoding: 'binary'}).get(key)!
      assert.deepEqual([...bytes(2).subarray(0, 2)], [0xd4, 0x72], 'the format 6 record is left as it was')
      const map = bytes(3)[0]!
      assert.ok((map & 0xf0) === 0x80 || map === 0xde, `a value written now is a msgpack map (first byte 0x${map.toString(16)})`)
      // An older shmr opens the superblock with lmdb-js's defaults: it must find the version there to refuse the store.
      assert.equal(raw.openDB<Superblock, string>({name: 'superblock'}).get('superblock')?.formatVersion, FORMAT_VERSION)
    } finally {
      await raw.close()
    }
  })

  it('opens format 2 as format 3 with nothing changed (3 only adds device nodes and sockets)', async () => {
    const dir = tempDir()
    const old = await MetaStore.create(dir, superblock(2), (store) => {
      store.inodes.putInode(newInode({ino: ROOT_INODE, kind: 'dir', permissions: 0o755, uid: 0, gid: 0}))
      store.inodes.putInode(newInode({ino: 2, kind: 'fifo', permissions: 0o644, uid: 0, gid: 0}))
      store.dirents.link(ROOT_INODE, 'pipe', {ino: 2, kind: 'fifo'})
    })
    await old.close()
    const store = await MetaStore.open(dir)
    try {
      assert.equal(store.superblock.formatVersion, FORMAT_VERSION)
      assert.equal(store.inodes.getInode(2).kind, 'fifo')
      assert.deepEqual(store.dirents.list(ROOT_INODE).map(({name}) => name), ['pipe'])
    } finally {
      await store.close()
    }
  })

  it('migrates format 1, which kept names as decoded UTF-8, to names kept as their bytes', async () => {
    const dir = tempDir()
    const old = await MetaStore.create(dir, superblock(1), (store) => {
      store.inodes.putInode(newInode({ino: ROOT_INODE, kind: 'dir', permissions: 0o755, uid: 0, gid: 0}))
      // Format 1 gave a symlink the size of its target's UTF-8 encoding.
      store.inodes.putInode({...newInode({ino: 2, kind: 'symlink', permissions: 0o777, uid: 0, gid: 0, target: 'caf\u00e9/\u00fcber'}), sizeBytes: 12})
      store.inodes.putInode(newInode({ino: 3, kind: 'file', permissions: 0o644, uid: 0, gid: 0}))
      store.dirents.link(ROOT_INODE, 'caf\u00e9', {ino: 2, kind: 'symlink'})
      store.dirents.link(ROOT_INODE, 'plain', {ino: 3, kind: 'file'})
      store.xattrs.put([3, 'user.\u00e9t\u00e9'], Buffer.from('summer'))
      store.orphans.put(3, {ino: 3, parent: ROOT_INODE, name: '\u00e9', sinceMs: 0})
    })
    await old.close()
    const store = await MetaStore.open(dir)
    try {
      assert.equal(store.superblock.formatVersion, FORMAT_VERSION)
      assert.deepEqual(store.dirents.list(ROOT_INODE).map(({name}) => name), ['caf\xc3\xa9', 'plain'])
      assert.equal(store.inodes.getInode(2).target, 'caf\xc3\xa9/\xc3\xbcber')
      assert.equal(store.inodes.getInode(2).sizeBytes, 12, 'a symlink\'s size was its UTF-8 length, which is its byte length now')
      assert.deepEqual(store.xattrs.names(3), ['user.\xc3\xa9t\xc3\xa9'])
      assert.equal(store.orphans.find(3)?.name, '\xc3\xa9')
    } finally {
      await store.close()
    }
  })

  it('says clearly when there is no filesystem, and refuses to create over one', async () => {
    const dir = tempDir()
    await assert.rejects(MetaStore.open(dir), (error) => isShmrError(error, 'NOT_INITIALISED'))
    const store = await MetaStore.create(dir, superblock(), () => {})
    await store.close()
    await assert.rejects(MetaStore.create(dir, superblock(), () => {}), (error) => isShmrError(error, 'FS_EXISTS'))
  })

  it('opens read-only beside a writer and refuses writes through it', async () => {
    const store = await freshStore()
    const reader = await MetaStore.open(store.dir, {readOnly: true})
    assert.equal(reader.inodes.getInode(ROOT_INODE).kind, 'dir')
    await assert.rejects(reader.transaction(() => {}), (error) => isShmrError(error, 'NOT_PERMITTED'))
    assert.throws(() => reader.inodes.getInode(12345), (error) => isShmrError(error, 'NOT_FOUND'))
    assert.equal(reader.inodes.findInode(12345), undefined)
    await reader.close()
    await store.close()
  })
})
