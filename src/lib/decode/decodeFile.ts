import {assembleBlock, type AssembledBlock} from '../blocks/assembleBlock.js'
import {BufferPool} from '../blocks/bufferPool.js'
import {readShardFile, type ShardFault} from '../blocks/shardFile.js'
import {reconstructShards} from '../erasure/codec.js'
import {ShmrError} from '../errors.js'
import {healthOf, type FoundBlock, type FoundFile, type SetAsideShard} from './catalog.js'
import type {DecodeOutput} from './decodeOutput.js'
import {blocksAddon} from '../native/blocksAddon.js'

export interface BlockIssue {
  readonly block: number
  readonly shards: ReadonlyArray<{readonly shard: string; readonly fault: ShardFault}>
}

export interface DecodeReport {
  readonly fileId: number
  readonly sizeBytes: number
  readonly blockSizeBytes: number
  readonly blocks: number
  /** Bytes inside the file that no block holds (holes), written as zeros or skipped. */
  readonly holeBytes: number
  /** Blocks rebuilt from parity or read from another copy, and the shards that were bad. */
  readonly repaired: readonly BlockIssue[]
  /** Blocks that could not be rebuilt (written as zeros with --partial). */
  readonly lost: readonly BlockIssue[]
  /** Shard files read. */
  readonly shardsUsed: number
  /** Shard files whose names were not believed (see catalogShards), and newer generations none of whose shards held what they promised. */
  readonly setAside: readonly SetAsideShard[]
}

/** A block as decoded: the generation that stood, and how its assembly went. */
interface DecodedBlock {
  readonly block: FoundBlock
  readonly result: AssembledBlock
}

/**
 * Rebuilds one file from the shard files `catalogShards` found: every block in order, checked
 * against the CRC32C in each shard's name, rebuilt from parity or another copy when needed.
 * Without `partial`, a block that cannot be rebuilt fails the decode (before anything is written
 * when the names already show it); with it, lost blocks are written as zeros and reported.
 * The next block's shards are read (and rebuilt) while the current one is written: two block
 * buffers, so reading, rebuilding and writing overlap.
 */
export async function decodeFile(file: FoundFile, output: DecodeOutput, options: {partial: boolean; onBytes?: (bytes: number) => void}): Promise<DecodeReport> {
  // As long as the longest block, not the block size: a small file of 64 MiB blocks (decode --tree
  // decodes thousands) took two 64 MiB buffers each, and the collector's work for them made a
  // tree of 10,000 files of 2 KB decode at 43 files/s.
  const bufferBytes = Math.max(0, ...file.blocks.flatMap(generationsOf).map((block) => block.lengthBytes))
  const buffers = [blocksAddon().alignedBuffer(bufferBytes), blocksAddon().alignedBuffer(bufferBytes)] as const
  // Unbounded, and gone with this call: it never holds more than two blocks' worth of parity and
  // padded tails, the most that are being assembled at once.
  const scratch = new BufferPool(Number.POSITIVE_INFINITY)
  const repaired: BlockIssue[] = []
  const lost: BlockIssue[] = []
  const setAside: SetAsideShard[] = [...file.setAside]
  let shardsUsed = 0
  let position = 0
  let sizeBytes = file.sizeBytes
  let storedBytes = 0
  /**
   * Assembles the newest generation of a block; when not one of its shards held what its name
   * promised (a stray file claiming to be newer), sets it aside and falls back to the next older.
   */
  const assemble = async (newest: FoundBlock, buffer: Buffer): Promise<DecodedBlock> => {
    for (let block = newest; ; block = block.older!) {
      let believed = false
      const readShard = async (shardIndex: number, target: Uint8Array): Promise<ShardFault | undefined> => {
        let fault: ShardFault = 'missing'
        for (const copy of block.shards[shardIndex] ?? []) {
          shardsUsed++
          const result = await (copy.read ? copy.read(target, copy.name.crc32c) : readShardFile(copy.file, target, copy.name.crc32c))
          if (!result) return void (believed = true)
          fault = result
        }
        return fault
      }
      const result = await assembleBlock(block.topology, block.lengthBytes, readShard, buffer, reconstructShards, scratch)
      if (!result.lost || believed || !block.older) return {block, result}
      const reason = `not one shard of block ${block.index} generation ${block.generation} holds what its name promises`
      for (const copies of block.shards) for (const copy of copies) setAside.push({file: copy.file, reason})
    }
  }
  const begin = (block: FoundBlock, buffer: Buffer): Promise<DecodedBlock> => {
    const assembled = assemble(block, buffer)
    // Awaited in its turn; a failure before then must not count as unhandled.
    assembled.catch(() => {})
    return assembled
  }
  let ahead: Promise<DecodedBlock> | undefined
  try {
    const doomed = file.blocks.filter((block) => healthOf(block) === 'damaged' && !block.older)
    if (doomed.length > 0 && !options.partial) throw lostError(file, doomed.map((block) => ({block: block.index, shards: missingShards(block)})))
    for (const [n, newest] of file.blocks.entries()) {
      const buffer = buffers[n % 2]!
      const current = ahead ?? begin(newest, buffer)
      // The other buffer's block was written before this loop turn began: it is free for the next.
      const following = file.blocks[n + 1]
      ahead = following ? begin(following, buffers[(n + 1) % 2]!) : undefined
      const start = newest.index * file.blockSizeBytes
      if (start > position) await output.zeros(position, start - position)
      const {block, result} = await current
      // An older generation of the last block may be of another length: the file ends with it
      // (unless its length was given: --size).
      if (!following && block !== newest && sizeBytes === start + newest.lengthBytes) sizeBytes = start + block.lengthBytes
      const issue = {block: block.index, shards: result.badShards.map((bad) => ({shard: roleOf(block, bad.shardIndex), fault: bad.fault}))}
      if (result.lost) {
        if (!options.partial) throw lostError(file, [issue])
        lost.push(issue)
        await output.zeros(start, block.lengthBytes)
      } else {
        if (issue.shards.length > 0) repaired.push(issue)
        await output.write(buffer.subarray(0, block.lengthBytes), start)
      }
      position = start + block.lengthBytes
      storedBytes += block.lengthBytes
      options.onBytes?.(block.lengthBytes)
    }
    await output.finish(sizeBytes)
  } catch (error) {
    await ahead?.catch(() => {})
    await output.abandon()
    throw error
  }
  return {
    fileId: file.fileId, sizeBytes, blockSizeBytes: file.blockSizeBytes, blocks: file.blocks.length,
    holeBytes: sizeBytes - storedBytes, repaired, lost, shardsUsed, setAside,
  }
}

/** A block's generations found, newest first (decode falls back to the older ones). */
function generationsOf(block: FoundBlock): FoundBlock[] {
  const generations: FoundBlock[] = []
  for (let at: FoundBlock | undefined = block; at; at = at.older) generations.push(at)
  return generations
}

/** The shard's role as its file name spells it: d0, p1, m0, s0. */
function roleOf(block: FoundBlock, shardIndex: number): string {
  const {topology} = block
  if (topology.kind === 'erasure') return shardIndex < topology.data ? `d${shardIndex}` : `p${shardIndex - topology.data}`
  return topology.kind === 'mirror' ? `m${shardIndex}` : 's0'
}

function missingShards(block: FoundBlock): Array<{shard: string; fault: ShardFault}> {
  return block.shards.flatMap((copies, i) => (copies.length === 0 ? [{shard: roleOf(block, i), fault: 'missing' as const}] : []))
}

function lostError(file: FoundFile, issues: readonly BlockIssue[]): ShmrError {
  const describe = (issue: BlockIssue): string => `block ${issue.block}: ${issue.shards.map((s) => `${s.shard} ${s.fault}`).join(', ')}`
  return new ShmrError('CORRUPT', `file ${file.fileId} cannot be rebuilt: ${issues.length} block(s) lost beyond what parity covers`, {
    details: issues.map(describe), hint: 'find the missing shard files and add their directories, or use --partial to write zeros for lost blocks',
  })
}
