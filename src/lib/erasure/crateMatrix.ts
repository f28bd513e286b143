import {instantiateReedSolomon, RESULT_MESSAGES} from './wasmModule.js'

/**
 * The parity rows of the Rust reed-solomon-erasure crate's encoding matrix for `data`+`parity`,
 * row-major (parity × data): parity shard r = Σ matrix[r][j] · data shard j over GF(2^8). This is
 * the shard format's definition, so it is read off the crate itself rather than rebuilt here:
 * encoding is linear, so data shards of one byte that are 1 at shard j and 0 elsewhere give
 * column j of the matrix as the parity bytes.
 */
export function crateParityMatrix(data: number, parity: number): Uint8Array {
  const wasm = instantiateReedSolomon()
  const total = data + parity
  const area = wasm.__wbindgen_malloc(total)
  try {
    const matrix = new Uint8Array(parity * data)
    for (let column = 0; column < data; column++) {
      const memory = new Uint8Array(wasm.memory.buffer, area, total)
      memory.fill(0)
      memory[column] = 1
      const result = wasm.encode(area, total, data, parity)
      if (result !== 0) throw new Error(`reed-solomon-erasure encode ${data}+${parity}: ${RESULT_MESSAGES[result] ?? `code ${result}`}`)
      const parityBytes = new Uint8Array(wasm.memory.buffer, area + data, parity)
      for (let row = 0; row < parity; row++) matrix[row * data + column] = parityBytes[row]!
    }
    return matrix
  } finally {
    wasm.__wbindgen_free(area, total)
  }
}
