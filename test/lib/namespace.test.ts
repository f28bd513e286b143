import assert from 'node:assert/strict'
import {after, before, describe, it} from 'node:test'
import {isShmrError} from '../../src/lib/errors.js'
import {ROOT_INODE} from '../../src/lib/format/constants.js'
import {Namespace} from '../../src/lib/fs/namespace.js'
import {openFixture, type OpenFixture} from '../helpers/openFixture.js'

let fx: OpenFixture
let namespace: Namespace
const ids: Record<string, number> = {}
before(async () => {
  fx = await openFixture()
  namespace = new Namespace(fx.store, fx.blocks, {isOpen: () => false})
  ids.a = (await namespace.make(ROOT_INODE, 'a', 'dir', 0o755, undefined)).ino
  ids.b = (await namespace.make(ids.a, 'b', 'dir', 0o755, undefined)).ino
  ids.f = (await namespace.make(ids.b, 'f', 'file', 0o644, undefined)).ino
  ids.link = (await namespace.make(ids.a, 'link', 'symlink', 0o777, undefined, {target: 'b'})).ino
})
after(async () => { await fx.store.close() })

describe('path resolution', () => {
  it('walks directory entries to the inode, skipping empty and . parts', () => {
    assert.equal(namespace.resolve('/'), ROOT_INODE)
    assert.equal(namespace.resolve('/a'), ids.a)
    assert.equal(namespace.resolve('/a/b/f'), ids.f)
    assert.equal(namespace.resolve('a//b/./f/'), ids.f)
    assert.equal(namespace.resolve('/a/link'), ids.link, 'a symlink is an entry, not followed')
  })

  it('fails through a file or a symlink with NOT_DIR, on a missing name with NOT_FOUND, on .. with BAD_ARGUMENT', () => {
    assert.throws(() => namespace.resolve('/a/b/f/x'), (error) => isShmrError(error, 'NOT_DIR'))
    assert.throws(() => namespace.resolve('/a/link/f'), (error) => isShmrError(error, 'NOT_DIR'))
    assert.throws(() => namespace.resolve('/a/nope/f'), (error) => isShmrError(error, 'NOT_FOUND') && error.message.includes('nope'))
    assert.throws(() => namespace.resolve('/a/../a'), (error) => isShmrError(error, 'BAD_ARGUMENT'))
  })
})

describe('removing a last name', () => {
  it('takes the inode\'s xattrs and staged blocks with it, beside files that keep theirs', async () => {
    const keeps = (await namespace.make(ROOT_INODE, 'keeps', 'file', 0o644, undefined)).ino
    const goes = (await namespace.make(ROOT_INODE, 'goes', 'file', 0o644, undefined)).ino
    const staged = {record: undefined, blockSizeBytes: 1 << 20, sourceBlockSizeBytes: 1 << 20, sources: [], sinceMs: 0}
    // Empty first (this store writes at once, so it looks again each time; the mount's deferred
    // writes keep the answer until a put: writeBehind.test).
    assert.equal(fx.store.xattrs.holdsNothing(), true)
    assert.equal(fx.store.staged.holdsNothing(), true)
    await fx.store.transaction(() => {
      for (const ino of [keeps, goes]) {
        fx.store.xattrs.put([ino, 'user.tag'], Buffer.from('x'))
        fx.store.staged.put([ino, 0], staged)
      }
    })
    await namespace.remove(ROOT_INODE, 'goes', 'file')
    assert.deepEqual(fx.store.xattrs.names(goes), [])
    assert.deepEqual(fx.store.staged.of(goes), [])
    assert.equal(fx.store.inodes.findInode(goes), undefined)
    assert.deepEqual(fx.store.xattrs.names(keeps), ['user.tag'])
    assert.equal(fx.store.staged.of(keeps).length, 1)
    await namespace.remove(ROOT_INODE, 'keeps', 'file')
    assert.equal(fx.store.xattrs.holdsNothing(), true)
    assert.equal(fx.store.staged.holdsNothing(), true)
  })
})
