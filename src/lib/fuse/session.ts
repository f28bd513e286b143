import {constants} from 'node:os'
import {fuseAddon, type ConnectionSettings, type FuseAddon} from './fuseAddon.js'
import {requestOf, type Request} from './request.js'

export interface SessionOptions {
  readonly allowOther?: boolean
  readonly defaultPermissions?: boolean
  readonly fsname?: string
  readonly subtype?: string
  /** Milliseconds after which a request still unanswered fails with ETIMEDOUT (0: never). */
  readonly timeoutMs: number
  readonly connection: ConnectionSettings
}

/**
 * A mounted FUSE session on shmr's addon: hands each request to `handle`, and answers each one
 * once. A request unanswered after `timeoutMs` gets ETIMEDOUT (a sleeping SMR drive must not hang
 * its caller) and its late answer is dropped here: the binding reuses request ids, so a late
 * answer must never reach the binding. One sweep timer checks every deadline, a quarter of the
 * timeout apart, at most a second.
 */
export class FuseSession {
  readonly addon: FuseAddon
  /** A reply's attributes, filled before entry, attr, create and direntsAdd. */
  readonly attr: Float64Array
  readonly exited: Promise<number>
  private readonly pending = new Map<Request, number>()
  private readonly sweeper: NodeJS.Timeout | undefined

  constructor(mountpoint: string, options: SessionOptions, handle: (request: Request) => void) {
    this.addon = fuseAddon()
    const mountOptions: string[] = []
    if (options.allowOther) mountOptions.push('allow_other')
    if (options.defaultPermissions) mountOptions.push('default_permissions')
    if (options.fsname) mountOptions.push(`fsname=${options.fsname}`)
    if (options.subtype) mountOptions.push(`subtype=${options.subtype}`)
    let exit!: (status: number) => void
    this.exited = new Promise((resolve) => { exit = resolve })
    let args!: Float64Array
    const shared = this.addon.mount(mountpoint, mountOptions.length > 0 ? ['-o', mountOptions.join(',')] : [], options.connection,
      (op, id, name, name2, data) => {
        const request = requestOf(op, id, args, name, name2, data)
        if (options.timeoutMs > 0) this.pending.set(request, performance.now() + options.timeoutMs)
        handle(request)
      },
      (status) => {
        if (this.sweeper) clearInterval(this.sweeper)
        this.addon.destroy()
        exit(status)
      })
    args = shared.args
    this.attr = shared.attr
    if (options.timeoutMs > 0) {
      const everyMs = Math.max(10, Math.min(1000, Math.floor(options.timeoutMs / 4)))
      this.sweeper = setInterval(() => this.sweep(), everyMs)
      this.sweeper.unref()
    }
  }

  /** Claims the answer to `request`: false when it was answered already (it timed out). */
  private claim(request: Request): boolean {
    if (request.answered) return false
    request.answered = true
    this.pending.delete(request)
    return true
  }

  err(request: Request, errno: number): void {
    if (this.claim(request)) this.addon.replyErr(request.id, errno)
  }

  /** Success with nothing to say (fuse_reply_err(0)). */
  ok(request: Request): void {
    this.err(request, 0)
  }

  entry(request: Request): void {
    if (this.claim(request)) this.addon.replyEntry(request.id)
  }

  attributes(request: Request): void {
    if (this.claim(request)) this.addon.replyAttr(request.id)
  }

  open(request: Request, fh: number, flags: number): void {
    if (this.claim(request)) this.addon.replyOpen(request.id, fh, flags)
  }

  create(request: Request, fh: number, flags: number): void {
    if (this.claim(request)) this.addon.replyCreate(request.id, fh, flags)
  }

  /** Bytes, copied into the reply before this returns. */
  buffer(request: Request, buffer: Buffer, offset: number, length: number): void {
    if (this.claim(request)) this.addon.replyBuf(request.id, buffer, offset, length)
  }

  /**
   * Bytes copied into the reply on another thread; `done` once the buffer may change again (at
   * once when the request was answered already).
   */
  bufferLater(request: Request, buffer: Buffer, offset: number, length: number, done: () => void): void {
    if (this.claim(request) && this.addon.replyBufLater(request.id, buffer, offset, length, done)) return
    done()
  }

  written(request: Request, count: number): void {
    if (this.claim(request)) this.addon.replyWrite(request.id, count)
  }

  /** The handler of `request` is done (answered or not): the binding's buffer of its bytes is free again. */
  release(request: Request): void {
    if (request.dataBuffer >= 0) this.addon.releaseReceiveBuffer(request.dataBuffer)
  }

  xattrSize(request: Request, size: number): void {
    if (this.claim(request)) this.addon.replyXattrSize(request.id, size)
  }

  readlink(request: Request, target: string): void {
    if (this.claim(request)) this.addon.replyReadlink(request.id, target)
  }

  statfs(request: Request, values: readonly number[]): void {
    if (this.claim(request)) this.addon.replyStatfs(request.id, values)
  }

  lseek(request: Request, offset: number): void {
    if (this.claim(request)) this.addon.replyLseek(request.id, offset)
  }

  /** Adds a directory entry to a readdir reply (attributes from `attr`); false when full. */
  direntsAdd(request: Request, name: string, nextOffset: number, plus: boolean): boolean {
    return !request.answered && this.addon.direntsAdd(request.id, name, nextOffset, plus)
  }

  dirents(request: Request): void {
    if (this.claim(request)) this.addon.replyDirents(request.id)
  }

  private sweep(): void {
    const now = performance.now()
    for (const [request, deadline] of this.pending) {
      if (deadline <= now) this.err(request, constants.errno.ETIMEDOUT)
    }
  }
}
