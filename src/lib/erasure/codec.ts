import assert from 'node:assert/strict'
import {ShmrError} from '../errors.js'
import {MAX_TOTAL_SHARDS} from '../format/constants.js'
import {instantiateReedSolomon, RESULT_MESSAGES, type ReedSolomonExports} from './wasmModule.js'

export interface CodecOptions {
  readonly dataShards: number
  readonly parityShards: number
}

/**
 * A Reed-Solomon codec over GF(2^8), the same code and shard format as the Rust
 * reed-solomon-erasure crate. Shard buffers always belong to the caller: the codec copies them
 * into its WASM memory, computes, and copies results back, reusing one arena across calls.
 */
export interface ErasureCodec extends CodecOptions {
  /**
   * Computes parity: reads shards[0…d-1], overwrites shards[d…d+p-1]. All shards must have the
   * same non-zero length.
   */
  encode(shards: readonly Uint8Array[]): void
  /**
   * Rebuilds, in place, every shard whose `present[i]` is false, from any d shards that are
   * present. Data shards always; parity shards too unless `dataOnly` (the read path needs only
   * data, and skipping parity saves an encode). Throws CORRUPT when fewer than d are present.
   */
  reconstruct(shards: readonly Uint8Array[], present: readonly boolean[], options?: {dataOnly?: boolean}): void
  /** True when the parity shards match the data shards. */
  verify(shards: readonly Uint8Array[]): boolean
}

export function createCodec(options: CodecOptions): ErasureCodec {
  const {dataShards, parityShards} = options
  if (!Number.isInteger(dataShards) || !Number.isInteger(parityShards) || dataShards < 1 || parityShards < 1 ||
    dataShards + parityShards > MAX_TOTAL_SHARDS) {
    throw new ShmrError('BAD_ARGUMENT', `erasure scheme ${dataShards}+${parityShards} is not valid`, {
      hint: `use at least 1 data and 1 parity shard, at most ${MAX_TOTAL_SHARDS} in all`,
    })
  }
  return new WasmCodec(dataShards, parityShards)
}

class WasmCodec implements ErasureCodec {
  private readonly wasm: ReedSolomonExports = instantiateReedSolomon()
  private arenaPointer = 0
  private arenaBytes = 0
  private readonly totalShards: number

  constructor(readonly dataShards: number, readonly parityShards: number) {
    this.totalShards = dataShards + parityShards
  }

  encode(shards: readonly Uint8Array[]): void {
    const shardBytes = this.checkShape(shards)
    const base = this.arena(shardBytes)
    const input = this.memory()
    for (let i = 0; i < this.dataShards; i++) input.set(shards[i]!, base + i * shardBytes)
    this.check(this.wasm.encode(base, shardBytes * this.totalShards, this.dataShards, this.parityShards), 'encode')
    const memory = this.memory()
    for (let i = this.dataShards; i < this.totalShards; i++) {
      shards[i]!.set(memory.subarray(base + i * shardBytes, base + (i + 1) * shardBytes))
    }
  }

  reconstruct(shards: readonly Uint8Array[], present: readonly boolean[], options: {dataOnly?: boolean} = {}): void {
    const shardBytes = this.checkShape(shards)
    assert.equal(present.length, this.totalShards, 'one presence flag per shard')
    const presentCount = present.filter(Boolean).length
    if (presentCount < this.dataShards) {
      throw new ShmrError('CORRUPT', `only ${presentCount} of ${this.totalShards} shards are intact, ${this.dataShards} are needed`)
    }
    const missingData = present.slice(0, this.dataShards).some((p) => !p)
    const missingParity = !options.dataOnly && present.slice(this.dataShards).some((p) => !p)
    if (!missingData && !missingParity) return
    const base = this.arena(shardBytes)
    if (missingData) {
      const input = this.memory()
      for (let i = 0; i < this.totalShards; i++) {
        if (present[i]) input.set(shards[i]!, base + i * shardBytes)
      }
      // The crate frees the flags buffer itself, so it is allocated per call and never freed here.
      const flags = this.wasm.__wbindgen_malloc(this.totalShards)
      this.memory().set(present.map((p) => (p ? 1 : 0)), flags)
      this.check(this.wasm.reconstruct(base, shardBytes * this.totalShards, this.dataShards, this.parityShards, flags, this.totalShards), 'reconstruct')
      const memory = this.memory()
      for (let i = 0; i < this.dataShards; i++) {
        if (!present[i]) shards[i]!.set(memory.subarray(base + i * shardBytes, base + (i + 1) * shardBytes))
      }
    }
    if (missingParity) {
      const parity = shards.slice(this.dataShards)
      const scratch = parity.map((shard, i) => (present[this.dataShards + i] ? new Uint8Array(shardBytes) : shard))
      this.encode([...shards.slice(0, this.dataShards), ...scratch])
    }
  }

  verify(shards: readonly Uint8Array[]): boolean {
    const shardBytes = this.checkShape(shards)
    const computed = Array.from({length: this.parityShards}, () => new Uint8Array(shardBytes))
    this.encode([...shards.slice(0, this.dataShards), ...computed])
    return computed.every((parity, i) => Buffer.from(parity.buffer, parity.byteOffset, parity.byteLength)
      .equals(shards[this.dataShards + i]!))
  }

  private checkShape(shards: readonly Uint8Array[]): number {
    assert.equal(shards.length, this.totalShards, `expected ${this.totalShards} shards`)
    const shardBytes = shards[0]!.byteLength
    assert.ok(shardBytes > 0, 'shards must not be empty')
    for (const shard of shards) assert.equal(shard.byteLength, shardBytes, 'all shards must have the same length')
    return shardBytes
  }

  /** Pointer to an area of at least totalShards × shardBytes, grown (never shrunk) as needed. */
  private arena(shardBytes: number): number {
    const needed = shardBytes * this.totalShards
    if (needed > this.arenaBytes) {
      if (this.arenaBytes > 0) this.wasm.__wbindgen_free(this.arenaPointer, this.arenaBytes)
      this.arenaPointer = this.wasm.__wbindgen_malloc(needed)
      this.arenaBytes = needed
    }
    return this.arenaPointer
  }

  /** A view of WASM memory; taken afresh after every call because the crate may grow memory. */
  private memory(): Uint8Array {
    return new Uint8Array(this.wasm.memory.buffer)
  }

  private check(result: number, operation: string): void {
    if (result !== 0) {
      throw new ShmrError('CORRUPT', `erasure ${operation} failed: ${RESULT_MESSAGES[result] ?? `code ${result}`}`)
    }
  }
}
