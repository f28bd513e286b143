import {readFileSync} from 'node:fs'
import {createRequire} from 'node:module'

/**
 * The raw exports of the reed-solomon-erasure crate compiled to WASM
 * (@digitaldefiance/reed-solomon-erasure.wasm): the definition of shmr's shard format. shmr reads
 * its encoding matrix off it (crateMatrix.ts) and tests against it; the coding itself runs in
 * ISA-L (codec.ts), which is SIMD and works on the caller's buffers in place. We call the exports
 * directly instead of through the package's JS wrapper: `reconstruct` takes ownership of (frees)
 * its flags buffer, so the wrapper's own free is a double free that breaks every later call.
 */
export interface ReedSolomonExports {
  readonly memory: WebAssembly.Memory
  /** Fills the parity shards of a contiguous [d data | p parity] area in place. Returns a result code. */
  encode(pointer: number, length: number, dataShards: number, parityShards: number): number
  /** Rebuilds missing data shards in place; frees `flagsPointer` (one byte per shard, 1 = present). */
  reconstruct(pointer: number, length: number, dataShards: number, parityShards: number, flagsPointer: number, flagsLength: number): number
  __wbindgen_malloc(size: number): number
  __wbindgen_free(pointer: number, size: number): void
}

let compiled: WebAssembly.Module | undefined

/** A fresh instance (own memory) of the codec; the module is compiled once per thread. */
export function instantiateReedSolomon(): ReedSolomonExports {
  if (!compiled) {
    const require = createRequire(import.meta.url)
    compiled = new WebAssembly.Module(readFileSync(require.resolve('@digitaldefiance/reed-solomon-erasure.wasm/wasm')))
  }
  return new WebAssembly.Instance(compiled).exports as unknown as ReedSolomonExports
}

/** The crate's result codes, for error messages. */
export const RESULT_MESSAGES: Record<number, string> = {
  1: 'too few shards', 2: 'too many shards', 3: 'too few data shards', 4: 'too many data shards',
  5: 'too few parity shards', 6: 'too many parity shards', 7: 'too few buffer shards', 8: 'too many buffer shards',
  9: 'incorrect shard size', 10: 'too few shards present', 11: 'empty shard', 12: 'invalid shard flags', 13: 'invalid index',
}
