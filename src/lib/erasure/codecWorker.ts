import {parentPort} from 'node:worker_threads'
import {createCodec, type ErasureCodec} from './codec.js'

/** A request to the codec worker: the shards travel as transferred ArrayBuffers. */
export interface CodecRequest {
  readonly id: number
  readonly op: 'encode' | 'reconstruct'
  readonly dataShards: number
  readonly parityShards: number
  readonly shards: ArrayBuffer[]
  readonly present: boolean[]
  readonly dataOnly: boolean
}

export type CodecReply = {readonly id: number; readonly shards: ArrayBuffer[]} | {readonly id: number; readonly error: string}

const codecs = new Map<string, ErasureCodec>()

parentPort?.on('message', (request: CodecRequest) => {
  try {
    const key = `${request.dataShards}+${request.parityShards}`
    let codec = codecs.get(key)
    if (!codec) codecs.set(key, (codec = createCodec({dataShards: request.dataShards, parityShards: request.parityShards})))
    const shards = request.shards.map((buffer) => new Uint8Array(buffer))
    if (request.op === 'encode') codec.encode(shards)
    else codec.reconstruct(shards, request.present, {dataOnly: request.dataOnly})
    parentPort!.postMessage({id: request.id, shards: request.shards} satisfies CodecReply, request.shards)
  } catch (error) {
    parentPort!.postMessage({id: request.id, error: (error as Error).message} satisfies CodecReply)
  }
})
