import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {FORMAT_VERSION, ROOT_INODE} from '../../src/lib/format/constants.js'
import {newInode} from '../../src/lib/init/newInode.js'
import {MetaStore} from '../../src/lib/meta/metaStore.js'
import {compareKeys} from '../../src/lib/meta/pendingWrites.js'
import {COMMIT_INTERVAL_MS} from '../../src/lib/meta/writeBehind.js'
import {tempDir} from '../helpers/tempDir.js'

async function deferredStore(): Promise<{store: MetaStore; dir: string}> {
  const dir = tempDir()
  const store = await MetaStore.create(dir, {
    formatVersion: FORMAT_VERSION, uuid: '00000000-0000-4000-8000-000000000002', blockSizeBytes: 1 << 20, createdAt: new Date(0).toISOString(), drives: [],
  }, (created) => {
    created.inodes.putInode(newInode({ino: ROOT_INODE, kind: 'dir', permissions: 0o755, uid: 0, gid: 0}))
    created.counters.put('nextInode', 2)
    created.counters.put('nextGeneration', 1)
  })
  store.deferWrites()
  return {store, dir}
}

const entry = (ino: number) => ({ino, kind: 'file' as const})

describe('metadata writes behind the answers (deferWrites)', () => {
  it('reads see a transaction\'s writes before its commit lands: lookups, ranges in key order, removals, counts', async () => {
    const {store} = await deferredStore()
    try {
      await store.transaction(() => {
        for (const name of ['b', 'a', 'c\u00e9', 'c']) store.dirents.link(ROOT_INODE, name, entry(name.length + 10))
      })
      await store.durable()
      // Pending now: a removal, two additions, one replacement.
      const pending = store.transaction(() => {
        store.dirents.unlink(ROOT_INODE, 'b')
        store.dirents.link(ROOT_INODE, 'aa', entry(20))
        store.dirents.link(ROOT_INODE, '\u00ff', entry(21))
        store.dirents.link(ROOT_INODE, 'a', entry(22))
      })
      assert.equal(store.dirents.lookup(ROOT_INODE, 'b'), undefined)
      assert.deepEqual(store.dirents.lookup(ROOT_INODE, 'a'), entry(22))
      const names = (): string[] => store.dirents.list(ROOT_INODE).map(({name}) => name)
      assert.deepEqual(names(), ['a', 'aa', 'c', 'c\u00e9', '\u00ff'])
      assert.deepEqual(store.dirents.list(ROOT_INODE, {limit: 2}).map(({name}) => name), ['a', 'aa'])
      assert.equal(store.dirents.isEmpty(ROOT_INODE), false)
      await pending
      await store.durable()
      assert.deepEqual(names(), ['a', 'aa', 'c', 'c\u00e9', '\u00ff'], 'the same once committed: LMDB\'s order is the pending one\'s')
      assert.equal(store.dirents.count(), 5)
    } finally {
      await store.close()
    }
  })

  it('knows a table holds nothing without reading it again until a put, pending writes counted', async () => {
    const {store} = await deferredStore()
    try {
      assert.equal(store.xattrs.holdsNothing(), true)
      const pending = store.transaction(() => store.xattrs.put([5, 'user.a'], Buffer.from('1')))
      assert.equal(store.xattrs.holdsNothing(), false, 'a pending put counts')
      await pending
      await store.durable()
      assert.equal(store.xattrs.holdsNothing(), false, 'committed')
      await store.transaction(() => store.xattrs.discard([5, 'user.a']))
      assert.equal(store.xattrs.holdsNothing(), false, 'a pending removal may leave others: looked at once landed')
      await store.durable()
      assert.equal(store.xattrs.holdsNothing(), true)
      // Known empty now: a put in a callback that throws makes it look again, and find nothing.
      await assert.rejects(store.transaction(() => {
        store.xattrs.put([6, 'user.b'], Buffer.from('2'))
        throw new Error('changed its mind')
      }))
      assert.equal(store.xattrs.holdsNothing(), true)
      await store.transaction(() => store.xattrs.put([7, 'user.c'], Buffer.from('3')))
      assert.equal(store.xattrs.holdsNothing(), false, 'a put after it was known empty')
    } finally {
      await store.close()
    }
  })

  it('a callback that throws leaves nothing behind; the next one sees only what committed', async () => {
    const {store} = await deferredStore()
    try {
      await assert.rejects(store.transaction(() => {
        store.dirents.link(ROOT_INODE, 'ghost', entry(30))
        throw new Error('changed its mind')
      }), /changed its mind/)
      assert.equal(store.dirents.lookup(ROOT_INODE, 'ghost'), undefined)
      await store.durable()
      assert.equal(store.dirents.count(), 0)
    } finally {
      await store.close()
    }
  })

  it('what durable() waited for is on disk: a store reopened from the directory has it', async () => {
    const {store, dir} = await deferredStore()
    await store.transaction(() => store.dirents.link(ROOT_INODE, 'kept', entry(40)))
    await store.durable()
    await store.close()
    const reopened = await MetaStore.open(dir)
    try {
      assert.deepEqual(reopened.dirents.lookup(ROOT_INODE, 'kept'), entry(40))
    } finally {
      await reopened.close()
    }
  })

  it('commits the last of several writes of one key made before a commit, removals included', async () => {
    const {store, dir} = await deferredStore()
    // Not awaited one by one: the changes queue behind the committer and land in few batches.
    const changes = []
    for (let round = 0; round < 50; round++) {
      changes.push(store.transaction(() => store.dirents.link(ROOT_INODE, 'kept', entry(100 + round))))
      changes.push(store.transaction(() => store.dirents.link(ROOT_INODE, 'gone', entry(200 + round))))
      changes.push(store.transaction(() => store.dirents.unlink(ROOT_INODE, 'gone')))
      changes.push(store.transaction(() => store.counters.put('nextInode', 1000 + round)))
    }
    changes.push(store.transaction(() => store.dirents.link(ROOT_INODE, 'back', entry(300))))
    changes.push(store.transaction(() => store.dirents.unlink(ROOT_INODE, 'back')))
    changes.push(store.transaction(() => store.dirents.link(ROOT_INODE, 'back', entry(301))))
    await Promise.all(changes)
    await store.durable()
    await store.close()
    const reopened = await MetaStore.open(dir)
    try {
      assert.deepEqual(reopened.dirents.lookup(ROOT_INODE, 'kept'), entry(149))
      assert.equal(reopened.dirents.lookup(ROOT_INODE, 'gone'), undefined)
      assert.deepEqual(reopened.dirents.lookup(ROOT_INODE, 'back'), entry(301))
      assert.equal(reopened.counters.find('nextInode'), 1049)
    } finally {
      await reopened.close()
    }
  })

  it('commits at most once per COMMIT_INTERVAL_MS while nobody waits for durability, then at once for durable()', async () => {
    const {store, dir} = await deferredStore()
    // One change at a time, each after a short pause, as a tar's requests come: committing again
    // as soon as a commit ends would commit about once for each.
    const changes = 100
    const started = performance.now()
    for (let i = 0; i < changes; i++) {
      await new Promise((resolve) => setTimeout(resolve, 2))
      await store.transaction(() => store.dirents.link(ROOT_INODE, `f${i}`, entry(1000 + i)))
    }
    await store.durable()
    const elapsedMs = performance.now() - started
    // Commits start COMMIT_INTERVAL_MS apart at least; the first starts at once, and durable()
    // starts the last at once.
    const most = Math.floor(elapsedMs / COMMIT_INTERVAL_MS) + 2
    assert.ok(store.commitsBehind <= most, `${store.commitsBehind} commits in ${elapsedMs.toFixed(0)} ms, at most ${most} expected`)
    assert.ok(store.commitsBehind >= 1)
    await store.close()
    const reopened = await MetaStore.open(dir)
    try {
      assert.equal(reopened.dirents.count(), changes, 'every change durable() waited for is on disk')
    } finally {
      await reopened.close()
    }
  })

  it('orders keys as LMDB does: numbers by value, names by their bytes, arrays element by element', () => {
    const keys: Array<[number, string]> = [[2, 'a'], [1, 'z'], [1, '\u00e9'], [1, 'e'], [10, ''], [1, 'ee']]
    assert.deepEqual([...keys].sort(compareKeys), [[1, 'e'], [1, 'ee'], [1, 'z'], [1, '\u00e9'], [2, 'a'], [10, '']])
  })
})
