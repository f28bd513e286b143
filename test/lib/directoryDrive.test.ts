import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import {describe, it} from 'node:test'
import {DirectoryDrive} from '../../src/lib/pools/directoryDrive.js'
import {tempDir} from '../helpers/tempDir.js'

describe('a directory drive', () => {
  it('removes many files in one job, saying what each held; one gone already is fine, one that cannot go is named', async () => {
    const dir = tempDir()
    const drive = new DirectoryDrive(1, 'ssd0', 'write', dir)
    fs.mkdirSync(path.join(dir, 'shmr', 'aa'), {recursive: true})
    fs.writeFileSync(path.join(dir, 'shmr', 'aa', 'one'), Buffer.alloc(5000, 1))
    fs.writeFileSync(path.join(dir, 'shmr', 'aa', 'two'), Buffer.alloc(0))
    const allocated = fs.statSync(path.join(dir, 'shmr', 'aa', 'one')).blocks * 512
    assert.ok(allocated >= 5000)

    const removed = await drive.removeFiles(['shmr/aa/one', 'shmr/aa/gone', 'shmr/aa/two'])
    assert.deepEqual(removed, [{sizeBytes: 5000, allocatedBytes: allocated}, {sizeBytes: 0, allocatedBytes: 0}, {sizeBytes: 0, allocatedBytes: 0}])
    assert.deepEqual(fs.readdirSync(path.join(dir, 'shmr', 'aa')), [])
    assert.deepEqual(await drive.removeFile('shmr/aa/one'), {sizeBytes: 0, allocatedBytes: 0}, 'removing it again is fine')

    // A directory cannot be unlinked: the error names it, and the files beside it still go.
    fs.writeFileSync(path.join(dir, 'shmr', 'aa', 'three'), 'x')
    await assert.rejects(drive.removeFiles(['shmr/aa', 'shmr/aa/three']), (error: NodeJS.ErrnoException) =>
      error.code === 'EISDIR' && error.syscall === 'unlink' && error.path === path.join(dir, 'shmr', 'aa'))
    assert.deepEqual(fs.readdirSync(path.join(dir, 'shmr', 'aa')), [])
  })
})
