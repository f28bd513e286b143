import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {describe, it} from 'node:test'
import {execa, type Result, type ResultPromise} from 'execa'
import {tempDir} from '../helpers/tempDir.js'

const binding = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/lib/fuse/binding.js')

/**
 * A server on shmr's binding with a 400 ms request timeout: reads of /stuck are never answered,
 * reads of /late are answered after 1.5 s (past the timeout), reads of /quick at once. Reads of
 * /lent, /late-lent and /bad-lent answer with bytes of a buffer of the server's (the binding
 * copies them on its FUSE thread); the server prints "done NAME" when the binding gives one back.
 * Run in a child process: the test must not serve the mount it reads from.
 */
const server = `
import {mountFuse} from ${JSON.stringify(binding)}
const [mnt] = process.argv.slice(1)
const files = new Set(['/stuck', '/late', '/quick', '/lent', '/late-lent', '/bad-lent'])
const file = {mode: 0o100644, uid: 0, gid: 0, size: 4096, nlink: 1, ino: 2, atime: 0, mtime: 0, ctime: 0, blksize: 4096, blocks: 8}
const ops = {
  getattr: (p, cb) => p === '/' ? cb(0, {...file, mode: 0o40755, ino: 1, size: 0}) : files.has(p) ? cb(0, file) : cb(-2),
  readdir: (p, cb) => cb(0, [...files].map((f) => f.slice(1))),
  open: (p, flags, cb) => cb(0, 7),
  release: (p, fd, cb) => cb(0),
  read: (p, fd, buf, len, pos, cb) => {
    if (p === '/stuck') return
    // Late, the request's buffer is gone (detached): only the answer comes, and must be ignored.
    if (p === '/late') return setTimeout(() => cb(len), 1500)
    if (p.endsWith('lent')) {
      const source = p === '/bad-lent' ? Buffer.alloc(10) : Buffer.alloc(len + 100, 0x62)
      const done = (given) => process.stdout.write(given === source ? 'done ' + p.slice(1) + '\\n' : 'wrong buffer\\n')
      if (p === '/late-lent') return setTimeout(() => cb(len, source, 100, done), 1500)
      return cb(len, source, 100, done)
    }
    buf.fill(0x61, 0, len)
    cb(len)
  },
}
await mountFuse(mnt, ops, {timeout: 400})
process.stdout.write('ready\\n')
process.on('SIGTERM', () => import('execa').then(({execa}) => execa('fusermount3', ['-u', mnt], {reject: false})).then(() => process.exit(0)))
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
  const child = execa(process.execPath, ['--input-type=module', '-e', server, mnt], {cwd: path.dirname(binding), reject: false})
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
      assert.ok(Buffer.from(quick.stdout as Uint8Array).equals(Buffer.alloc(4096, 0x61)), 'the server still answers, with the right bytes')
    })
  })

  it('replies with bytes lent from the handler\'s buffer and gives the buffer back, late or refused ones too', async () => {
    await withServer(async (mnt, child, output) => {
      const lent = await readBlock(`${mnt}/lent`, child, {encoding: 'buffer'})
      assert.equal(lent.exitCode, 0, Buffer.from(lent.stderr as Uint8Array).toString())
      assert.ok(Buffer.from(lent.stdout as Uint8Array).equals(Buffer.alloc(4096, 0x62)), 'the reply holds the lent bytes')
      const bad = await readBlock(`${mnt}/bad-lent`, child)
      assert.match(String(bad.stderr), /Input\/output error/, 'an answer past the end of its buffer fails with EIO')
      const late = await readBlock(`${mnt}/late-lent`, child)
      assert.match(String(late.stderr), /Connection timed out/)
      await new Promise((resolve) => setTimeout(resolve, 1500))
      // The server's stdout is a pipe: a last read makes sure its lines so far have arrived.
      await readBlock(`${mnt}/quick`, child)
      assert.deepEqual(output().split('\n').filter((line) => line.startsWith('done') || line.startsWith('wrong')).sort(),
        ['done bad-lent', 'done late-lent', 'done lent'], 'every lent buffer came back, once')
    })
  })
})
