import type {Reconstruct} from '../erasure/codec.js'
import type {ShardFault} from './shardFile.js'
import {shardSizeBytes, toleratedLosses, type Topology} from './topology.js'
import {blocksAddon} from '../native/blocksAddon.js'

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
 * are intact.
 */
export async function assembleBlock(topology: Topology, lengthBytes: number, readShard: ReadShard, out: Uint8Array,
  reconstruct: Reconstruct): Promise<AssembledBlock> {
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
  // and parity go to scratch buffers.
  const direct = Array.from({length: data + parity}, (_, i) => i < data && (i + 1) * shardBytes <= lengthBytes)
  const buffers = direct.map((inOut, i) => (inOut ? out.subarray(i * shardBytes, (i + 1) * shardBytes) : blocksAddon().alignedBuffer(shardBytes)))
  const faults: Array<ShardFault | undefined> = await Promise.all(buffers.slice(0, data).map((buffer, i) => readShard(i, buffer)))
  const dataIntact = faults.every((fault) => fault === undefined)
  if (!dataIntact) faults.push(...await Promise.all(buffers.slice(data).map((buffer, j) => readShard(data + j, buffer))))
  const badShards = faults.flatMap((fault, shardIndex) => (fault ? [{shardIndex, fault}] : []))
  if (badShards.length > toleratedLosses(topology)) return {badShards, reconstructed: false, lost: true}
  if (!dataIntact) await reconstruct(data, parity, buffers, faults.map((fault) => fault === undefined), {dataOnly: true})
  for (let i = 0; i < data; i++) {
    const start = i * shardBytes
    if (!direct[i] && start < lengthBytes) out.set(buffers[i]!.subarray(0, Math.min(shardBytes, lengthBytes - start)), start)
  }
  return {badShards, reconstructed: !dataIntact, lost: false}
}
