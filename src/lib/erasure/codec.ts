import assert from 'node:assert/strict'
import {ShmrError} from '../errors.js'
import {MAX_TOTAL_SHARDS} from '../format/constants.js'
import {blocksAddon, type IoPriority} from '../native/blocksAddon.js'
import {crateParityMatrix} from './crateMatrix.js'

export interface CodecOptions {
  readonly dataShards: number
  readonly parityShards: number
}

/** Rebuilds lost shards in place (see ErasureCodec.reconstruct), for any scheme. */
export type Reconstruct = (dataShards: number, parityShards: number, shards: readonly Uint8Array[], present: readonly boolean[],
  options?: {dataOnly?: boolean}) => Promise<void>

/**
 * A Reed-Solomon codec over GF(2^8) with the Rust reed-solomon-erasure crate's code and shard
 * format (its matrix, read off the crate), computed by ISA-L in the blocks addon on its coding
 * threads (native/blocks/coders.c; SHMR_CODER_THREADS, default one per CPU), straight on the
 * caller's buffers: nothing is copied, and the calling thread only waits.
 * Shard buffers belong to the caller and must stay untouched until the promise settles.
 */
export interface ErasureCodec extends CodecOptions {
  /**
   * Computes parity: reads shards[0…d-1], overwrites shards[d…d+p-1]. All shards must have the
   * same non-zero length. `priority` idle: a task's work, on the blocks addon's background lane.
   */
  encode(shards: readonly Uint8Array[], priority?: IoPriority): Promise<void>
  /**
   * Rebuilds, in place, every shard whose `present[i]` is false, from any d shards that are
   * present. Data shards always; parity shards too unless `dataOnly` (the read path needs only
   * data, and skipping parity saves an encode). Rejects with CORRUPT when fewer than d are present.
   */
  reconstruct(shards: readonly Uint8Array[], present: readonly boolean[], options?: {dataOnly?: boolean}): Promise<void>
  /** True when the parity shards match the data shards. */
  verify(shards: readonly Uint8Array[]): Promise<boolean>
}

export function createCodec(options: CodecOptions): ErasureCodec {
  const {dataShards, parityShards} = options
  if (!Number.isInteger(dataShards) || !Number.isInteger(parityShards) || dataShards < 1 || parityShards < 1 ||
    dataShards + parityShards > MAX_TOTAL_SHARDS) {
    throw new ShmrError('BAD_ARGUMENT', `erasure scheme ${dataShards}+${parityShards} is not valid`, {
      hint: `use at least 1 data and 1 parity shard, at most ${MAX_TOTAL_SHARDS} in all`,
    })
  }
  return new IsalCodec(dataShards, parityShards)
}

const codecs = new Map<string, ErasureCodec>()

/** The codec of a scheme, made once per process (its matrix and tables are reused). */
export function codecFor(dataShards: number, parityShards: number): ErasureCodec {
  const key = `${dataShards}+${parityShards}`
  let codec = codecs.get(key)
  if (!codec) codecs.set(key, (codec = createCodec({dataShards, parityShards})))
  return codec
}

/** Reconstruct for whatever scheme a block has. */
export const reconstructShards: Reconstruct = (dataShards, parityShards, shards, present, options) =>
  codecFor(dataShards, parityShards).reconstruct(shards, present, options)

/** Decode tables kept per codec; a pool's drives fail in few patterns, so this is plenty. */
const MAX_CACHED_TABLES = 64

class IsalCodec implements ErasureCodec {
  private readonly totalShards: number
  /** The (d+p) × d encoding matrix: identity rows for the data shards, then the crate's parity rows. */
  private readonly matrix: Uint8Array
  private readonly encodeTables: Buffer
  private readonly tables = new Map<string, Buffer>()

  constructor(readonly dataShards: number, readonly parityShards: number) {
    this.totalShards = dataShards + parityShards
    const parityRows = crateParityMatrix(dataShards, parityShards)
    this.matrix = new Uint8Array(this.totalShards * dataShards)
    for (let i = 0; i < dataShards; i++) this.matrix[i * dataShards + i] = 1
    this.matrix.set(parityRows, dataShards * dataShards)
    this.encodeTables = blocksAddon().ecTables(dataShards, parityShards, parityRows)
  }

  async encode(shards: readonly Uint8Array[], priority: IoPriority = 'normal'): Promise<void> {
    this.checkShape(shards)
    await blocksAddon().ecApply(this.encodeTables, this.dataShards, this.parityShards, shards.slice(0, this.dataShards), shards.slice(this.dataShards), priority === 'idle')
  }

  async reconstruct(shards: readonly Uint8Array[], present: readonly boolean[], options: {dataOnly?: boolean} = {}): Promise<void> {
    this.checkShape(shards)
    assert.equal(present.length, this.totalShards, 'one presence flag per shard')
    const sources = present.flatMap((isPresent, i) => (isPresent ? [i] : [])).slice(0, this.dataShards)
    if (sources.length < this.dataShards) {
      const count = present.filter(Boolean).length
      throw new ShmrError('CORRUPT', `only ${count} of ${this.totalShards} shards are intact, ${this.dataShards} are needed`)
    }
    const missingData = present.flatMap((isPresent, i) => (!isPresent && i < this.dataShards ? [i] : []))
    const missingParity = options.dataOnly ? [] : present.flatMap((isPresent, i) => (!isPresent && i >= this.dataShards ? [i] : []))
    const addon = blocksAddon()
    if (missingData.length > 0) {
      const tables = this.decodeTables(sources, missingData)
      await addon.ecApply(tables, this.dataShards, missingData.length, sources.map((i) => shards[i]!), missingData.map((i) => shards[i]!))
    }
    if (missingParity.length > 0) {
      const tables = this.cachedTables(`p${missingParity.join(',')}`, () => addon.ecTables(this.dataShards, missingParity.length,
        this.rows(missingParity)))
      await addon.ecApply(tables, this.dataShards, missingParity.length, shards.slice(0, this.dataShards), missingParity.map((i) => shards[i]!))
    }
  }

  async verify(shards: readonly Uint8Array[]): Promise<boolean> {
    const shardBytes = this.checkShape(shards)
    const computed = Array.from({length: this.parityShards}, () => new Uint8Array(shardBytes))
    await this.encode([...shards.slice(0, this.dataShards), ...computed])
    return computed.every((parity, i) => Buffer.from(parity.buffer, parity.byteOffset, parity.byteLength).equals(shards[this.dataShards + i]!))
  }

  /**
   * Tables that give data shards `targets` from shards `sources` (d of them): the rows of the
   * inverse of the encoding matrix restricted to the sources.
   */
  private decodeTables(sources: readonly number[], targets: readonly number[]): Buffer {
    return this.cachedTables(`d${sources.join(',')}>${targets.join(',')}`, () => {
      const d = this.dataShards
      const inverse = blocksAddon().gfInvert(this.rows(sources), d)
      // Any d rows of the crate's matrix are independent (that is what makes it MDS).
      assert.ok(inverse, `the encoding matrix restricted to shards ${sources.join(',')} is invertible`)
      const rows = new Uint8Array(targets.length * d)
      targets.forEach((target, r) => rows.set(inverse.subarray(target * d, (target + 1) * d), r * d))
      return blocksAddon().ecTables(d, targets.length, rows)
    })
  }

  /** The encoding matrix's rows for the given shards, row-major. */
  private rows(shardIndexes: readonly number[]): Uint8Array {
    const d = this.dataShards
    const rows = new Uint8Array(shardIndexes.length * d)
    shardIndexes.forEach((shard, r) => rows.set(this.matrix.subarray(shard * d, (shard + 1) * d), r * d))
    return rows
  }

  private cachedTables(key: string, make: () => Buffer): Buffer {
    let tables = this.tables.get(key)
    if (!tables) {
      if (this.tables.size >= MAX_CACHED_TABLES) this.tables.delete(this.tables.keys().next().value!)
      this.tables.set(key, (tables = make()))
    }
    return tables
  }

  private checkShape(shards: readonly Uint8Array[]): number {
    assert.equal(shards.length, this.totalShards, `expected ${this.totalShards} shards`)
    const shardBytes = shards[0]!.byteLength
    assert.ok(shardBytes > 0, 'shards must not be empty')
    for (const shard of shards) assert.equal(shard.byteLength, shardBytes, 'all shards must have the same length')
    return shardBytes
  }
}
