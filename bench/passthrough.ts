/**
 * A minimal passthrough filesystem on shmr's FUSE binding (FuseSession), with the connection
 * settings shmr's mount uses: what the binding alone costs, so the bench can separate it from
 * shmr's own data path. Serves the files of one directory (no subdirectories).
 * Usage: node dist/bench/passthrough.js SOURCE_DIR MOUNTPOINT; prints "ready", SIGTERM unmounts.
 */
import fs from 'node:fs'
import path from 'node:path'
import {execa} from 'execa'
import {defaultMountConfig} from '../src/lib/config/schema.js'
import {putAttributes} from '../src/lib/fuse/attributes.js'
import {setKernelReadAhead} from '../src/lib/fuse/kernelReadAhead.js'
import {Op} from '../src/lib/fuse/opcodes.js'
import type {Request} from '../src/lib/fuse/request.js'
import {FuseSession} from '../src/lib/fuse/session.js'

const [source, mountpoint] = process.argv.slice(2) as [string, string]
const ROOT = 1
/** The backing file of each inode the kernel knows, by the backing file's own inode number. */
const paths = new Map<number, string>([[ROOT, source]])
const errnoOf = (error: unknown): number => Math.abs((error as NodeJS.ErrnoException).errno ?? 5)
const statOf = (stats: fs.Stats, ino: number) => ({
  ino, mode: stats.mode, uid: stats.uid, gid: stats.gid, nlink: stats.nlink, rdev: stats.rdev, size: stats.size, blocks: stats.blocks, blksize: 131072,
  atimeMs: stats.atimeMs, mtimeMs: stats.mtimeMs, ctimeMs: stats.ctimeMs, atimeNs: 0, mtimeNs: 0,
})

/** A raw descriptor (a FileHandle would close itself when collected). */
const openFd = (file: string, flags: number, mode?: number): Promise<number> =>
  new Promise((resolve, reject) => fs.open(file, flags, mode, (error, fd) => (error ? reject(error) : resolve(fd))))

async function entry(request: Request, file: string): Promise<void> {
  const stats = await fs.promises.lstat(file)
  paths.set(stats.ino, file)
  putAttributes(session.attr, statOf(stats, stats.ino))
}

async function handle(request: Request): Promise<void> {
  const file = paths.get(request.ino) ?? ''
  switch (request.op) {
    case Op.LOOKUP:
      await entry(request, path.join(file, request.name!))
      return session.entry(request)
    case Op.GETATTR:
      putAttributes(session.attr, statOf(await fs.promises.lstat(file), request.ino))
      return session.attributes(request)
    case Op.SETATTR:
      if (request.toSet & 8) await fs.promises.truncate(file, request.setSize)
      putAttributes(session.attr, statOf(await fs.promises.lstat(file), request.ino))
      return session.attributes(request)
    case Op.CREATE: {
      const fd = await openFd(path.join(file, request.name!), request.flags | fs.constants.O_CREAT, request.mode)
      await entry(request, path.join(file, request.name!))
      return session.create(request, fd, 0)
    }
    case Op.OPEN:
      return session.open(request, await openFd(file, request.flags), 0)
    case Op.READ: {
      const buffer = Buffer.allocUnsafe(request.size)
      const {bytesRead} = await new Promise<{bytesRead: number}>((resolve, reject) =>
        fs.read(request.fh, buffer, 0, request.size, request.offset, (error, bytesRead) => (error ? reject(error) : resolve({bytesRead}))))
      return session.buffer(request, buffer, 0, bytesRead)
    }
    case Op.WRITE: {
      const written = await new Promise<number>((resolve, reject) =>
        fs.write(request.fh, request.data!, 0, request.size, request.offset, (error, bytes) => (error ? reject(error) : resolve(bytes))))
      return session.written(request, written)
    }
    case Op.FSYNC:
      await new Promise<void>((resolve, reject) => fs.fsync(request.fh, (error) => (error ? reject(error) : resolve())))
      return session.ok(request)
    case Op.RELEASE:
      await new Promise<void>((resolve, reject) => fs.close(request.fh, (error) => (error ? reject(error) : resolve())))
      return session.ok(request)
    case Op.UNLINK:
      await fs.promises.unlink(path.join(file, request.name!))
      return session.ok(request)
    case Op.STATFS:
      return session.statfs(request, [4096, 4096, 2 ** 30, 2 ** 29, 2 ** 29, 2 ** 20, 2 ** 20, 2 ** 20, 255])
    default:
      return session.err(request, 38) // ENOSYS
  }
}

const {requestTimeoutMs, readAheadBytes} = defaultMountConfig()
const session: FuseSession = new FuseSession(mountpoint, {timeoutMs: requestTimeoutMs, connection: {maxWrite: 1024 * 1024, maxReadahead: readAheadBytes}},
  (request) => void handle(request).catch((error: unknown) => session.err(request, errnoOf(error))).finally(() => session.release(request)))
const readAhead = await setKernelReadAhead(mountpoint, readAheadBytes)
if (readAhead.problem) process.stderr.write(`passthrough: kernel read-ahead left at ${readAhead.bytes / 1024} KiB: ${readAhead.problem}\n`)
process.stdout.write('ready\n')
process.on('SIGTERM', () => {
  void execa('fusermount3', ['-u', mountpoint], {reject: false}).then(() => process.exit(0))
})
