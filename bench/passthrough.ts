/**
 * A minimal passthrough filesystem on the same FUSE binding and options shmr uses (mountFuse):
 * what the binding alone costs, so the bench can separate it from shmr's own data path.
 * Usage: node dist/bench/passthrough.js SOURCE_DIR MOUNTPOINT; prints "ready", SIGTERM unmounts.
 */
import fs from 'node:fs'
import path from 'node:path'
import {execa} from 'execa'
import {defaultMountConfig} from '../src/lib/config/schema.js'
import {mountFuse} from '../src/lib/fuse/binding.js'
import {setKernelReadAhead} from '../src/lib/fuse/kernelReadAhead.js'
import type {FuseCallback, FuseOperations} from '../src/lib/fuse/fuseNative.js'

const [source, mountpoint] = process.argv.slice(2) as [string, string]
const real = (file: string): string => path.join(source, file)
const errno = (error: unknown): number => -((error as NodeJS.ErrnoException).errno ? Math.abs((error as NodeJS.ErrnoException).errno!) : 5)
const done = (cb: FuseCallback) => (error: NodeJS.ErrnoException | null, value?: unknown): void => (error ? cb(errno(error)) : value === undefined ? cb(0) : cb(0, value))

const operations = {
  getattr: (file: string, cb: FuseCallback) => fs.lstat(real(file), (error, stats) => (error ? cb(errno(error)) : cb(0, {
    mode: stats.mode, uid: stats.uid, gid: stats.gid, size: stats.size, nlink: stats.nlink, ino: stats.ino,
    atime: stats.atimeMs, mtime: stats.mtimeMs, ctime: stats.ctimeMs, blksize: 131072, blocks: stats.blocks,
  }))),
  readdir: (file: string, cb: FuseCallback) => fs.readdir(real(file), done(cb)),
  create: (file: string, mode: number, cb: FuseCallback) => fs.open(real(file), 'w+', mode, done(cb)),
  open: (file: string, flags: number, cb: FuseCallback) => fs.open(real(file), flags, done(cb)),
  read: (_file: string, fd: number, buffer: Buffer, length: number, position: number, cb: FuseCallback) =>
    fs.read(fd, buffer, 0, length, position, (error, bytes) => cb(error ? errno(error) : bytes)),
  write: (_file: string, fd: number, buffer: Buffer, length: number, position: number, cb: FuseCallback) =>
    fs.write(fd, buffer, 0, length, position, (error, bytes) => cb(error ? errno(error) : bytes)),
  fsync: (_file: string, _datasync: number, fd: number, cb: FuseCallback) => fs.fsync(fd, done(cb)),
  flush: (_file: string, _fd: number, cb: FuseCallback) => cb(0),
  release: (_file: string, fd: number, cb: FuseCallback) => fs.close(fd, done(cb)),
  truncate: (file: string, size: number, cb: FuseCallback) => fs.truncate(real(file), size, done(cb)),
  unlink: (file: string, cb: FuseCallback) => fs.unlink(real(file), done(cb)),
  statfs: (_file: string, cb: FuseCallback) => cb(0, {bsize: 4096, frsize: 4096, blocks: 1 << 30, bfree: 1 << 29, bavail: 1 << 29, files: 1 << 20, ffree: 1 << 20, favail: 1 << 20, fsid: 0, flag: 0, namemax: 255}),
} as unknown as FuseOperations

const {requestTimeoutMs, readAheadBytes} = defaultMountConfig()
await mountFuse(mountpoint, operations, {timeout: requestTimeoutMs})
const readAhead = await setKernelReadAhead(mountpoint, readAheadBytes)
if (readAhead.problem) process.stderr.write(`passthrough: kernel read-ahead left at ${readAhead.bytes / 1024} KiB: ${readAhead.problem}\n`)
process.stdout.write('ready\n')
process.on('SIGTERM', () => {
  void execa('fusermount3', ['-u', mountpoint], {reject: false}).then(() => process.exit(0))
})
