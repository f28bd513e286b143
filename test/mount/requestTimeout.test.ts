import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {describe, it} from 'node:test'
import {execa, type Result, type ResultPromise} from 'execa'
import {tempDir} from '../helpers/tempDir.js'

const fuseDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/lib/fuse')

/**
 * A server on shmr's binding (FuseSession) with a 1 s request timeout: reads of /stuck are never
 * answered, reads of /late are answered after 1.8 s (past the timeout), reads of /slow after
 * 0.8 s (in time), reads of /quick at once; each file's bytes are its own letter. Run in a
 * child process: the test must not serve the mount it reads from.
 */
const server = `
const [mnt] = process.argv.slice(1)
const {FuseSession} = await import('./session.js')
const {putAttributes} = await import('./attributes.js')
const files = ['stuck', 'late', 'slow', 'quick']
const stat = (ino) => ({ino, mode: ino === 1 ? 0o40755 : 0o100644, uid: 0, gid: 0, nlink: 1, size: ino === 1 ? 0 : 4096, blocks: 8, blksize: 4096, atimeMs: 0, mtimeMs: 0, ctimeMs: 0})
// Operation codes (src/lib/fuse/opcodes.ts): LOOKUP 1, GETATTR 2, OPEN 12, READ 13, RELEASE 15.
const session = new FuseSession(mnt, {timeoutMs: 1000, connection: {maxWrite: 1 << 20, maxReadahead: 1 << 20}}, (request) => {
  const reply = () => {
    if (request.op === 1) {
      const at = files.indexOf(request.name)
      if (at < 0) return session.err(request, 2)
      putAttributes(session.attr, stat(at + 2))
      return session.entry(request)
    }
    if (request.op === 2) { putAttributes(session.attr, stat(request.ino)); return session.attributes(request) }
    if (request.op === 12) return session.open(request, request.ino, 1)
    if (request.op === 15) return session.ok(request)
    if (request.op !== 13) return session.err(request, 38)
    const name = files[request.ino - 2]
    const bytes = Buffer.alloc(request.size, name[0])
    if (name === 'stuck') return
    if (name === 'late') return setTimeout(() => session.buffer(request, bytes, 0, bytes.length), 1800)
    if (name === 'slow') return setTimeout(() => session.buffer(request, bytes, 0, bytes.length), 800)
    session.buffer(request, bytes, 0, bytes.length)
  }
  reply()
})
process.stdout.write('ready\\n')
process.on('SIGTERM', () => import('execa').then(({execa}) => execa('fusermount3', ['-u', mnt], {reject: false})).then(() => session.exited).then(() => process.exit(0)))
`

/**
 * dd of one 4 KiB block past the page cache. A direct read waits for its answer uninterruptibly
 * (not even SIGKILL ends it), so when none comes within 20 s the server is killed: the kernel
 * then fails the read, and the test fails instead of hanging.
 */
async function readBlock(file: string, server: ResultPromise, options: {encoding?: 'buffer'} = {}): Promise<Result> {
  const watchdog = setTimeout(() => server.kill('SIGKILL'), 20_000)
  try {
    return await execa('dd', [`if=${file}`, 'bs=4k', 'count=1', 'iflag=direct', 'status=none'], {reject: false, ...options})
  } finally {
    clearTimeout(watchdog)
  }
}

/**
 * Runs the server above on a fresh mount point, waits until it is ready, runs `use` with the
 * server's stdout so far (read it after the server wrote), and always stops and unmounts it.
 */
async function withServer(use: (mnt: string, child: ResultPromise, output: () => string) => Promise<void>): Promise<void> {
  const mnt = path.join(tempDir(), 'mnt')
  fs.mkdirSync(mnt)
  const child = execa(process.execPath, ['--input-type=module', '-e', server, mnt], {cwd: fuseDir, reject: false})
  let output = ''
  child.stdout!.on('data', (chunk: Buffer) => { output += chunk.toString() })
  try {
    await new Promise<void>((resolve, reject) => {
      child.stdout!.once('data', () => resolve())
      void child.then((result) => reject(new Error(`server exited: ${result.stderr}`)))
    })
    await use(mnt, child, () => output)
  } finally {
    child.kill('SIGTERM')
    await child
    await execa('fusermount3', ['-uz', mnt], {reject: false})
  }
}

describe('FUSE request timeout', () => {
  it('fails a request the server does not answer in time with ETIMEDOUT, and a late answer harms nothing', async () => {
    await withServer(async (mnt, child) => {
      const stuck = await readBlock(`${mnt}/stuck`, child)
      assert.notEqual(stuck.exitCode, 0)
      assert.match(String(stuck.stderr), /Connection timed out/)
      const late = await readBlock(`${mnt}/late`, child)
      assert.match(String(late.stderr), /Connection timed out/)
      // The late answer arrives now, after the kernel was told the request failed.
      await new Promise((resolve) => setTimeout(resolve, 1500))
      const quick = await readBlock(`${mnt}/quick`, child, {encoding: 'buffer'})
      assert.equal(quick.exitCode, 0, Buffer.from(quick.stderr as Uint8Array).toString())
      assert.ok(Buffer.from(quick.stdout as Uint8Array).equals(Buffer.alloc(4096, 'q')), 'the server still answers, with the right bytes')
    })
  })

  it('never lets a late answer answer another request: request ids are reused once one times out', async () => {
    await withServer(async (mnt, child) => {
      const late = await readBlock(`${mnt}/late`, child)
      assert.match(String(late.stderr), /Connection timed out/)
      // The late answer comes while this read waits for its own, likely under the late one's id.
      const slow = await readBlock(`${mnt}/slow`, child, {encoding: 'buffer'})
      assert.equal(slow.exitCode, 0, Buffer.from(slow.stderr as Uint8Array).toString())
      assert.ok(Buffer.from(slow.stdout as Uint8Array).equals(Buffer.alloc(4096, 's')), 'the slow read got its own bytes')
    })
  })
})
