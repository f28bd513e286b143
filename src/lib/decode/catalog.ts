import {describeTopology, shardCount, shardSizeBytes, toleratedLosses, type Topology} from '../blocks/topology.js'
import type {FoundShard} from './scanShards.js'

/** One block as its shard files describe it: the newest generation found for its position. */
export interface FoundBlock {
  readonly index: number
  readonly generation: number
  readonly topology: Topology
  readonly lengthBytes: number
  /** Candidate files per shard index (copies of the same shard in several directories count once each). */
  readonly shards: ReadonlyArray<readonly FoundShard[]>
}

export type BlockHealth = 'complete' | 'recoverable' | 'damaged'

export interface FoundFile {
  readonly fileId: number
  readonly blockSizeBytes: number
  /** Stored blocks in index order; indexes not listed are holes. */
  readonly blocks: readonly FoundBlock[]
  /** End of the last stored block: a trailing hole is not visible in shard names. */
  readonly sizeBytes: number
  readonly topologies: readonly string[]
  readonly health: BlockHealth
}

/**
 * Groups shards into files and blocks. Several layouts of one file can be on disk at once (an
 * interrupted shift leaves new, larger blocks beside the old ones): the layout covering the most
 * of the file wins, then the newest. Within a layout, each block is its newest generation.
 */
export function catalogShards(shards: readonly FoundShard[]): FoundFile[] {
  const byFile = new Map<number, FoundShard[]>()
  for (const shard of shards) {
    const list = byFile.get(shard.name.fileId) ?? []
    list.push(shard)
    byFile.set(shard.name.fileId, list)
  }
  return [...byFile].sort(([a], [b]) => a - b).map(([fileId, fileShards]) => catalogFile(fileId, fileShards))
}

function catalogFile(fileId: number, shards: readonly FoundShard[]): FoundFile {
  const layouts = new Map<number, FoundShard[]>()
  for (const shard of shards) {
    const list = layouts.get(shard.name.blockSizeBytes) ?? []
    list.push(shard)
    layouts.set(shard.name.blockSizeBytes, list)
  }
  const candidates = [...layouts].map(([blockSizeBytes, layoutShards]) => {
    const blocks = newestBlocks(layoutShards)
    const last = blocks.at(-1)
    return {blockSizeBytes, blocks, end: last ? last.index * blockSizeBytes + last.lengthBytes : 0, newest: Math.max(...layoutShards.map((s) => s.name.generation))}
  })
  candidates.sort((a, b) => b.end - a.end || b.newest - a.newest)
  const chosen = candidates[0]!
  const healths = chosen.blocks.map(healthOf)
  return {
    fileId, blockSizeBytes: chosen.blockSizeBytes, blocks: chosen.blocks, sizeBytes: chosen.end,
    topologies: [...new Set(chosen.blocks.map((block) => describeTopology(block.topology)))],
    health: healths.includes('damaged') ? 'damaged' : healths.includes('recoverable') ? 'recoverable' : 'complete',
  }
}

function newestBlocks(shards: readonly FoundShard[]): FoundBlock[] {
  const newest = new Map<number, FoundShard[]>()
  for (const shard of shards) {
    const current = newest.get(shard.name.blockIndex)
    const generation = current?.[0]!.name.generation ?? -1
    if (shard.name.generation > generation) newest.set(shard.name.blockIndex, [shard])
    else if (shard.name.generation === generation) current!.push(shard)
  }
  return [...newest].sort(([a], [b]) => a - b).map(([index, blockShards]) => {
    const {topology, lengthBytes, generation} = blockShards[0]!.name
    const byShard: FoundShard[][] = Array.from({length: shardCount(topology)}, () => [])
    for (const shard of blockShards) {
      // Only files of the size the name promises are candidates; a truncated copy is no copy.
      if (shard.sizeBytes === shardSizeBytes(topology, lengthBytes)) byShard[shard.name.shardIndex]!.push(shard)
    }
    return {index, generation, topology, lengthBytes, shards: byShard}
  })
}

/** By names and sizes alone (checksums are checked while decoding). */
export function healthOf(block: FoundBlock): BlockHealth {
  const missing = block.shards.filter((copies) => copies.length === 0).length
  if (missing === 0) return 'complete'
  return missing <= toleratedLosses(block.topology) ? 'recoverable' : 'damaged'
}
