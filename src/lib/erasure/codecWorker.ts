import {parentPort} from 'node:worker_threads'
import {createCodec, type ErasureCodec} from './codec.js'

/**
 * A request to a codec worker. The shards live in the worker's SharedArrayBuffer arena, shard i
 * at [i × shardBytes, (i + 1) × shardBytes): nothing is copied into or out of the message.
 */
export interface CodecRequest {
  readonly id: number
  readonly op: 'encode' | 'reconstruct'
  readonly dataShards: number
  readonly parityShards: number
  readonly shardBytes: number
  readonly present: boolean[]
  readonly dataOnly: boolean
  /** A new, larger arena; the worker keeps it for later requests. */
  readonly arena?: SharedArrayBuffer
}

export type CodecReply = {readonly id: number} | {readonly id: number; readonly error: string}

const codecs = new Map<string, ErasureCodec>()
let arena: SharedArrayBuffer | undefined

parentPort?.on('message', (request: CodecRequest) => {
  try {
    if (request.arena) arena = request.arena
    const key = `${request.dataShards}+${request.parityShards}`
    let codec = codecs.get(key)
    if (!codec) codecs.set(key, (codec = createCodec({dataShards: request.dataShards, parityShards: request.parityShards})))
    const shards = Array.from({length: request.dataShards + request.parityShards}, (_, i) => new Uint8Array(arena!, i * request.shardBytes, request.shardBytes))
    if (request.op === 'encode') codec.encode(shards)
    else codec.reconstruct(shards, request.present, {dataOnly: request.dataOnly})
    parentPort!.postMessage({id: request.id} satisfies CodecReply)
  } catch (error) {
    parentPort!.postMessage({id: request.id, error: (error as Error).message} satisfies CodecReply)
  }
})
