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
