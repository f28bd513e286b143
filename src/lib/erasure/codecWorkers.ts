import {Worker} from 'node:worker_threads'
import {ShmrError} from '../errors.js'
import type {CodecReply, CodecRequest} from './codecWorker.js'

/** Rebuilds lost shards; the inline codec and the worker pool both fit this shape. */
export type Reconstruct = (dataShards: number, parityShards: number, shards: readonly Uint8Array[], present: readonly boolean[],
  options?: {dataOnly?: boolean}) => Promise<void>

/**
 * Runs Reed-Solomon reconstruction on worker threads, so a degraded read (a few milliseconds of
 * WASM per block) does not stall the thread that answers every other FUSE request. Shards are
 * copied to the worker and back: this path only runs when shards are lost or damaged.
 */
export class CodecWorkers {
  private readonly workers: Worker[]
  private readonly pending = new Map<number, {resolve: (reply: CodecReply) => void}>()
  private nextId = 1
  private next = 0

  constructor(count: number) {
    this.workers = Array.from({length: Math.max(1, count)}, () => {
      const worker = new Worker(new URL('./codecWorker.js', import.meta.url))
      worker.unref()
      worker.on('message', (reply: CodecReply) => {
        this.pending.get(reply.id)?.resolve(reply)
        this.pending.delete(reply.id)
      })
      return worker
    })
  }

  readonly reconstruct: Reconstruct = async (dataShards, parityShards, shards, present, options = {}) => {
    const id = this.nextId++
    // new Uint8Array(view) copies; Buffer#slice would be a view, and transferring it would detach the caller's memory.
    const copies = shards.map((shard) => new Uint8Array(shard).buffer)
    const worker = this.workers[this.next++ % this.workers.length]!
    const reply = await new Promise<CodecReply>((resolve) => {
      this.pending.set(id, {resolve})
      const request: CodecRequest = {id, dataShards, parityShards, shards: copies, present: [...present], dataOnly: options.dataOnly ?? false}
      worker.postMessage(request, copies)
    })
    if ('error' in reply) throw new ShmrError('CORRUPT', reply.error)
    reply.shards.forEach((buffer, i) => {
      if (!present[i]) shards[i]!.set(new Uint8Array(buffer))
    })
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.terminate()))
  }
}
