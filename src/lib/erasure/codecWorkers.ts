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
    const rebuilt = await this.run({op: 'reconstruct', dataShards, parityShards, present: [...present], dataOnly: options.dataOnly ?? false}, shards)
    rebuilt.forEach((buffer, i) => {
      if (!present[i]) shards[i]!.set(new Uint8Array(buffer))
    })
  }

  /** Computes the parity shards (shards[d…]) from the data shards, on a worker. */
  async encode(dataShards: number, parityShards: number, shards: readonly Uint8Array[]): Promise<void> {
    const encoded = await this.run({op: 'encode', dataShards, parityShards, present: [], dataOnly: false}, shards)
    for (let i = dataShards; i < shards.length; i++) shards[i]!.set(new Uint8Array(encoded[i]!))
  }

  private async run(request: Omit<CodecRequest, 'id' | 'shards'>, shards: readonly Uint8Array[]): Promise<ArrayBuffer[]> {
    const id = this.nextId++
    // new Uint8Array(view) copies; Buffer#slice would be a view, and transferring it would detach the caller's memory.
    const copies = shards.map((shard) => new Uint8Array(shard).buffer)
    const worker = this.workers[this.next++ % this.workers.length]!
    const reply = await new Promise<CodecReply>((resolve) => {
      this.pending.set(id, {resolve})
      worker.postMessage({...request, id, shards: copies} satisfies CodecRequest, copies)
    })
    if ('error' in reply) throw new ShmrError('CORRUPT', reply.error)
    return reply.shards
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.terminate()))
  }
}
