import {Worker} from 'node:worker_threads'
import {ShmrError} from '../errors.js'
import type {CodecReply, CodecRequest} from './codecWorker.js'

/** Rebuilds lost shards; the inline codec and the worker pool both fit this shape. */
export type Reconstruct = (dataShards: number, parityShards: number, shards: readonly Uint8Array[], present: readonly boolean[],
  options?: {dataOnly?: boolean}) => Promise<void>

interface CodecThread {
  readonly worker: Worker
  arena: SharedArrayBuffer | undefined
  /** Requests run one at a time per worker: its arena holds one request's shards. */
  queue: Promise<unknown>
}

/**
 * Runs Reed-Solomon encoding and reconstruction on worker threads. Each worker owns a
 * SharedArrayBuffer arena: the calling thread copies the shards in and the results out, with no
 * allocation, transfer or garbage per call, so the workers, not the caller, do the heavy part.
 */
export class CodecWorkers {
  private readonly threads: CodecThread[]
  private readonly pending = new Map<number, (reply: CodecReply) => void>()
  private nextId = 1
  private next = 0

  constructor(count: number) {
    this.threads = Array.from({length: Math.max(1, count)}, () => {
      const worker = new Worker(new URL('./codecWorker.js', import.meta.url))
      worker.unref()
      worker.on('message', (reply: CodecReply) => {
        this.pending.get(reply.id)?.(reply)
        this.pending.delete(reply.id)
      })
      return {worker, arena: undefined, queue: Promise.resolve()}
    })
  }

  readonly reconstruct: Reconstruct = async (dataShards, parityShards, shards, present, options = {}) => {
    await this.run({op: 'reconstruct', dataShards, parityShards, present: [...present], dataOnly: options.dataOnly ?? false}, shards,
      () => true, (i) => !present[i])
  }

  /** Computes the parity shards (shards[d…]) from the data shards, on a worker. */
  async encode(dataShards: number, parityShards: number, shards: readonly Uint8Array[]): Promise<void> {
    await this.run({op: 'encode', dataShards, parityShards, present: [], dataOnly: false}, shards, (i) => i < dataShards, (i) => i >= dataShards)
  }

  private run(request: Omit<CodecRequest, 'id' | 'shardBytes' | 'arena'>, shards: readonly Uint8Array[],
    copyIn: (shardIndex: number) => boolean, copyOut: (shardIndex: number) => boolean): Promise<void> {
    const thread = this.threads[this.next++ % this.threads.length]!
    const work = thread.queue.then(async () => {
      const shardBytes = shards[0]!.byteLength
      const needed = shardBytes * shards.length
      let grown: SharedArrayBuffer | undefined
      if (!thread.arena || thread.arena.byteLength < needed) thread.arena = grown = new SharedArrayBuffer(needed)
      const view = (i: number): Uint8Array => new Uint8Array(thread.arena!, i * shardBytes, shardBytes)
      shards.forEach((shard, i) => { if (copyIn(i)) view(i).set(shard) })
      const id = this.nextId++
      const reply = await new Promise<CodecReply>((resolve) => {
        this.pending.set(id, resolve)
        thread.worker.postMessage({...request, id, shardBytes, ...(grown ? {arena: grown} : {})} satisfies CodecRequest)
      })
      if ('error' in reply) throw new ShmrError('CORRUPT', reply.error)
      shards.forEach((shard, i) => { if (copyOut(i)) shard.set(view(i)) })
    })
    thread.queue = work.catch(() => {})
    return work
  }

  async close(): Promise<void> {
    await Promise.all(this.threads.map((thread) => thread.worker.terminate()))
  }
}
