import {describeTopology, shardCount, shardSizeBytes, toleratedLosses, type Topology} from '../blocks/topology.js'
import {MAX_BLOCK_SIZE_BYTES, MAX_FILE_SIZE_BYTES, MIN_BLOCK_SIZE_BYTES} from '../format/constants.js'
import {describeTopologyCode} from '../format/topologyCode.js'
import {groupBy} from '../groupBy.js'
import type {FoundShard} from './scanShards.js'

/** One block as its shard files describe it. */
export interface FoundBlock {
  readonly index: number
  readonly generation: number
  readonly topology: Topology
  readonly lengthBytes: number
  /** Candidate files per shard index (copies of the same shard in several directories count once each). */
  readonly shards: ReadonlyArray<readonly FoundShard[]>
  /**
   * The next older generation found for this position, if any: decode falls back to it only when
   * not one shard of this generation holds what its name promises (a stray file that merely
   * claims to be newer), never when this one is damaged past parity.
   */
  readonly older?: FoundBlock
}

export type BlockHealth = 'complete' | 'recoverable' | 'damaged'

/** A shard file whose name is not believed, and why. It is never read. */
export interface SetAsideShard {
  readonly file: string
  readonly reason: string
}

export interface FoundFile {
  readonly fileId: number
  readonly blockSizeBytes: number
  /** Stored blocks in index order; indexes not listed are holes. */
  readonly blocks: readonly FoundBlock[]
  /** End of the last stored block: a trailing hole is not visible in shard names. */
  readonly sizeBytes: number
  readonly topologies: readonly string[]
  readonly health: BlockHealth
  /** Shard files of this file whose names claim what the files or the other shards contradict. */
  readonly setAside: readonly SetAsideShard[]
}

/**
 * Groups shards into files and blocks. A name is a claim, checked before it is believed: a size
 * past what shmr stores, a file whose length differs from its name's, or a shard that disagrees
 * with the others of its block and generation (another scheme or length) is set aside and
 * reported, never trusted and never a crash. Several layouts (block sizes) of one file can be on
 * disk at once (an interrupted shift leaves new, larger blocks beside the old ones): the layout
 * that can rebuild the most bytes wins, then the one with the most shards, then the newest.
 * Within a layout, each block is its newest generation, with the older ones to fall back to.
 */
export function catalogShards(shards: readonly FoundShard[]): FoundFile[] {
  return [...groupBy(shards, (shard) => shard.name.fileId)].sort(([a], [b]) => a - b).map(([fileId, fileShards]) => catalogFile(fileId, fileShards))
}

function catalogFile(fileId: number, shards: readonly FoundShard[]): FoundFile {
  const setAside: SetAsideShard[] = []
  const believable = shards.filter((shard) => {
    const doubt = doubtOf(shard)
    if (doubt) setAside.push({file: shard.file, reason: doubt})
    return !doubt
  })
  const candidates = [...groupBy(believable, (shard) => shard.name.blockSizeBytes)].map(([blockSizeBytes, layoutShards]) => {
    const blocks = blocksOf(layoutShards, setAside)
    const last = blocks.at(-1)
    return {
      blockSizeBytes, blocks, end: last ? last.index * blockSizeBytes + last.lengthBytes : 0,
      recoverableBytes: blocks.reduce((sum, block) => sum + (healthOf(block) === 'damaged' ? 0 : block.lengthBytes), 0),
      shardCount: layoutShards.length, newest: Math.max(...layoutShards.map((s) => s.name.generation)),
    }
  })
  candidates.sort((a, b) => b.recoverableBytes - a.recoverableBytes || b.shardCount - a.shardCount || b.newest - a.newest)
  const chosen = candidates[0] ?? {blockSizeBytes: 0, blocks: [], end: 0}
  const healths = chosen.blocks.map(healthOf)
  return {
    fileId, blockSizeBytes: chosen.blockSizeBytes, blocks: chosen.blocks, sizeBytes: chosen.end,
    topologies: [...new Set(chosen.blocks.map((block) => describeTopology(block.topology)))],
    health: healths.includes('damaged') || healths.length === 0 ? 'damaged' : healths.includes('recoverable') ? 'recoverable' : 'complete',
    setAside,
  }
}

/** Why a shard's name cannot be believed on its own, or undefined. */
function doubtOf(shard: FoundShard): string | undefined {
  const {blockSizeBytes, blockIndex, lengthBytes, topology} = shard.name
  if (blockSizeBytes < MIN_BLOCK_SIZE_BYTES || blockSizeBytes > MAX_BLOCK_SIZE_BYTES || (blockSizeBytes & (blockSizeBytes - 1)) !== 0) {
    return `its block size ${blockSizeBytes} is not one shmr writes`
  }
  if (lengthBytes < 1 || lengthBytes > blockSizeBytes) return `its length ${lengthBytes} does not fit its block size ${blockSizeBytes}`
  if (blockIndex * blockSizeBytes + lengthBytes > MAX_FILE_SIZE_BYTES) return `block ${blockIndex} would end past the largest file shmr stores`
  const expected = shardSizeBytes(topology, lengthBytes)
  if (shard.sizeBytes !== expected) return `it is ${shard.sizeBytes} bytes, its name says ${expected}`
  return undefined
}

/**
 * The blocks of one layout: for each position, its generations newest first, each linked to the
 * next older. Within a generation every shard must tell the same story (scheme and length): the
 * story most shards tell stands, the others are set aside.
 */
function blocksOf(shards: readonly FoundShard[], setAside: SetAsideShard[]): FoundBlock[] {
  return [...groupBy(shards, (shard) => shard.name.blockIndex)].sort(([a], [b]) => a - b).map(([index, positionShards]) => {
    let block: FoundBlock | undefined
    for (const [generation, generationShards] of [...groupBy(positionShards, (shard) => shard.name.generation)].sort(([a], [b]) => a - b)) {
      block = {...agreeingBlock(index, generation, generationShards, setAside), older: block}
    }
    return block!
  })
}

function agreeingBlock(index: number, generation: number, shards: readonly FoundShard[], setAside: SetAsideShard[]): Omit<FoundBlock, 'older'> {
  const stories = groupBy(shards, (shard) => `${describeTopologyCode(shard.name.topology)} l${shard.name.lengthBytes}`)
  const ranked = [...stories].sort(([, a], [, b]) => b.length - a.length)
  const [story, believed] = ranked[0]!
  for (const [other, doubted] of ranked.slice(1)) {
    for (const shard of doubted) setAside.push({file: shard.file, reason: `it says ${other}, ${believed.length} shard(s) of block ${index} generation ${generation} say ${story}`})
  }
  const {topology, lengthBytes} = believed[0]!.name
  const byShard: FoundShard[][] = Array.from({length: shardCount(topology)}, () => [])
  for (const shard of believed) byShard[shard.name.shardIndex]!.push(shard)
  return {index, generation, topology, lengthBytes, shards: byShard}
}

/** By names and sizes alone (checksums are checked while decoding). */
export function healthOf(block: FoundBlock): BlockHealth {
  const missing = block.shards.filter((copies) => copies.length === 0).length
  if (missing === 0) return 'complete'
  return missing <= toleratedLosses(block.topology) ? 'recoverable' : 'damaged'
}
