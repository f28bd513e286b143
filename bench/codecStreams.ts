/**
 * The codec alone, for bench.ts: `node dist/bench/codecStreams.js DATA PARITY ROUNDS` run with
 * SHMR_CODER_THREADS set to the number of coding threads to measure (and, for one core, under
 * taskset); without it, as many as the addon starts by default, one per CPU. Two streams of
 * calls per thread keep every thread busy while the other stream's result travels back; each
 * call is one job for the coding threads, on 256 KiB shards of the caller's.
 * Prints {"encode": MB/s, "reconstruct": MB/s}.
 */
import {randomFillSync} from 'node:crypto'
import os from 'node:os'
import {createCodec} from '../src/lib/erasure/codec.js'

const [data, parity, rounds] = process.argv.slice(2).map(Number) as [number, number, number]
const threads = Number(process.env.SHMR_CODER_THREADS ?? os.availableParallelism())
const shardBytes = 256 * 1024
const codec = createCodec({dataShards: data, parityShards: parity})
const sets = Array.from({length: threads * 2}, () => Array.from({length: data + parity}, (_, i) =>
  (i < data ? randomFillSync(new Uint8Array(shardBytes)) : new Uint8Array(shardBytes))))
const lost = sets[0]!.map((_, i) => i >= 2)
for (const set of sets) await codec.encode(set)

async function megabytesPerSecond(call: (set: Uint8Array[]) => Promise<void>): Promise<number> {
  const started = performance.now()
  await Promise.all(sets.map(async (set) => {
    for (let i = 0; i < rounds / sets.length; i++) await call(set)
  }))
  return rounds * data * shardBytes / 1e6 / ((performance.now() - started) / 1000)
}

const encode = await megabytesPerSecond((set) => codec.encode(set))
const reconstruct = await megabytesPerSecond((set) => codec.reconstruct(set, lost, {dataOnly: true}))
process.stdout.write(`${JSON.stringify({encode, reconstruct})}\n`)
