import {ShmrError} from '../errors.js'
import {MAX_MIRROR_COPIES, MAX_TOTAL_SHARDS} from '../format/constants.js'

/** How one block is stored: one file, n identical copies, or d data + p parity shards. */
export type Topology =
  | {readonly kind: 'single'}
  | {readonly kind: 'mirror'; readonly copies: number}
  | {readonly kind: 'erasure'; readonly data: number; readonly parity: number}

export const SINGLE: Topology = Object.freeze({kind: 'single'})

export function mirror(copies: number): Topology {
  if (!Number.isInteger(copies) || copies < 2 || copies > MAX_MIRROR_COPIES) {
    throw new ShmrError('BAD_ARGUMENT', `a mirror needs 2 to ${MAX_MIRROR_COPIES} copies, got ${copies}`)
  }
  return {kind: 'mirror', copies}
}

export function erasure(data: number, parity: number): Topology {
  if (!Number.isInteger(data) || !Number.isInteger(parity) || data < 1 || parity < 1 || data + parity > MAX_TOTAL_SHARDS) {
    throw new ShmrError('BAD_ARGUMENT', `an erasure scheme needs at least 1 data and 1 parity shard and at most ${MAX_TOTAL_SHARDS} in all, got ${data}+${parity}`)
  }
  return {kind: 'erasure', data, parity}
}

/** Parses a scheme as users write it: `single`, `mirror:2`, or `4+2` (data+parity). */
export function parseScheme(text: string): Topology {
  const trimmed = text.trim().toLowerCase()
  if (trimmed === 'single') return SINGLE
  const mirrorMatch = /^mirror[:(]?(\d+)\)?$/.exec(trimmed)
  if (mirrorMatch) return mirror(Number(mirrorMatch[1]))
  const erasureMatch = /^(\d+)\s*\+\s*(\d+)$/.exec(trimmed)
  if (erasureMatch) return erasure(Number(erasureMatch[1]), Number(erasureMatch[2]))
  throw new ShmrError('BAD_ARGUMENT', `"${text}" is not a storage scheme`, {hint: 'use single, mirror:N, or DATA+PARITY such as 4+2'})
}

/** Human form: `single`, `mirror:2`, `4+2`; parseScheme(describeTopology(t)) equals t. */
export function describeTopology(topology: Topology): string {
  switch (topology.kind) {
    case 'single': return 'single'
    case 'mirror': return `mirror:${topology.copies}`
    case 'erasure': return `${topology.data}+${topology.parity}`
  }
}

/** Number of files one block of this topology is stored as. */
export function shardCount(topology: Topology): number {
  switch (topology.kind) {
    case 'single': return 1
    case 'mirror': return topology.copies
    case 'erasure': return topology.data + topology.parity
  }
}

/** How many shards may be lost while the block stays readable. */
export function toleratedLosses(topology: Topology): number {
  switch (topology.kind) {
    case 'single': return 0
    case 'mirror': return topology.copies - 1
    case 'erasure': return topology.parity
  }
}

/** Bytes in each shard file of a block holding `lengthBytes` logical bytes. */
export function shardSizeBytes(topology: Topology, lengthBytes: number): number {
  return topology.kind === 'erasure' ? Math.ceil(lengthBytes / topology.data) : lengthBytes
}


