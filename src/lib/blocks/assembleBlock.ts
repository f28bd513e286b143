import type {Reconstruct} from '../erasure/codec.js'
import type {ShardFault} from './shardFile.js'
import {shardSizeBytes, toleratedLosses, type Topology} from './topology.js'
import type {BufferPool} from './bufferPool.js'

/** Reads shard `shardIndex` whole into `target` and checks it; says why not when it cannot. */
export type ReadShard = (shardIndex: number, target: Uint8Array) => Promise<ShardFault | undefined>

export interface AssembledBlock {
  /** Shards that were read and found missing or damaged. */
  readonly badShards: ReadonlyArray<{readonly shardIndex: number; readonly fault: ShardFault}>
  readonly reconstructed: boolean
  /** Too many shards are bad: out holds nothing meaningful. */
  readonly lost: boolean
}

/**
 * Puts a block's logical bytes into out[0, lengthBytes) from its shards, whatever they are read
 * from (drives of a mounted pool, or files `decode` found). The one rule for combining shard
 * results: a copy topology needs one intact copy; an erasure block reads only its data shards
 * while they are intact (parity drives stay asleep) and is rebuilt while at least `data` shards
 * are intact. Shards that cannot be read into `out` go to buffers from `scratch`, given back when
 * the block is assembled.
 */
export async function assembleBlock(topology: Topology, lengthBytes: number, readShard: ReadShard, out: Uint8Array,
  reconstruct: Reconstruct, scratch: BufferPool): Promise<AssembledBlock> {
  if (topology.kind !== 'erasure') {
    const badShards: Array<{shardIndex: number; fault: ShardFault}> = []
    const copies = topology.kind === 'mirror' ? topology.copies : 1
    for (let shardIndex = 0; shardIndex < copies; shardIndex++) {
      const fault = await readShard(shardIndex, out.subarray(0, lengthBytes))
      if (!fault) return {badShards, reconstructed: false, lost: false}
      badShards.push({shardIndex, fault})
    }
    return {badShards, reconstructed: false, lost: true}
  }
  const {data, parity} = topology
  const shardBytes = shardSizeBytes(topology, lengthBytes)
  // Data shards that lie wholly inside the block are read straight into `out`; the padded tail
  // goes to scratch, and so does parity, taken only when a data shard is bad.
  const taken: Buffer[] = []
  const scratchShard = (): Buffer => {
    const buffer = scratch.take(shardBytes)
    taken.push(buffer)
    return buffer
  }
  const direct = Array.from({length: data}, (_, i) => (i + 1) * shardBytes <= lengthBytes)
  const buffers: Uint8Array[] = direct.map((inOut, i) => (inOut ? out.subarray(i * shardBytes, (i + 1) * shardBytes) : scratchShard()))
  const faults: Array<ShardFault | undefined> = await Promise.all(buffers.map((buffer, i) => readShard(i, buffer)))
  const dataIntact = faults.every((fault) => fault === undefined)
  if (!dataIntact) {
    for (let j = 0; j < parity; j++) buffers.push(scratchShard())
    faults.push(...await Promise.all(buffers.slice(data).map((buffer, j) => readShard(data + j, buffer))))
  }
  const badShards = faults.flatMap((fault, shardIndex) => (fault ? [{shardIndex, fault}] : []))
  const lost = badShards.length > toleratedLosses(topology)
  if (!lost && !dataIntact) await reconstruct(data, parity, buffers, faults.map((fault) => fault === undefined), {dataOnly: true})
  for (let i = 0; i < data && !lost; i++) {
    const start = i * shardBytes
    if (!direct[i] && start < lengthBytes) out.set(buffers[i]!.subarray(0, Math.min(shardBytes, lengthBytes - start)), start)
  }
  // Only here, with every read and the rebuild finished: a throw above may leave a read still
  // filling its buffer, so those buffers are left to the garbage collector instead.
  for (const buffer of taken) scratch.give(buffer)
  if (lost) return {badShards, reconstructed: false, lost: true}
  return {badShards, reconstructed: !dataIntact, lost: false}
}
