import {shardCount, shardSizeBytes, type Topology} from '../blocks/topology.js'
import type {DriveSpace, PlacementPolicy} from './policies/index.js'

export interface FillForecast {
  /** Data the pool takes, placed by its policy from the space free now, before its first drive fills. */
  readonly beforeADriveFillsBytes: number
  /** For each drive, the pool's data written by the time it is full (no room for another shard); absent: it never fills first. */
  readonly fullAfterBytes: ReadonlyMap<number, number>
}

/** Steps a forecast takes at most: each places this fraction of what fits, or one block. */
const FORECAST_STEPS = 20_000

/**
 * Plays the pool's own placement policy forward from the drives' free space: blocks of the pool's
 * size and scheme, one after another, until no block fits; says when each drive filled (when it
 * could no longer take a shard) and so how much data fits before the first does. With much room,
 * blocks are placed a batch at a time (at most FORECAST_STEPS steps), which shifts each figure
 * by at most one batch.
 */
export function forecastFill(policy: PlacementPolicy, drives: readonly DriveSpace[], topology: Topology, blockSizeBytes: number): FillForecast {
  const count = shardCount(topology)
  const shardBytes = shardSizeBytes(topology, blockSizeBytes)
  const free = drives.map((drive) => ({...drive}))
  const blocksThatFit = free.reduce((sum, drive) => sum + drive.freeBytes, 0) / (shardBytes * count)
  const batch = Math.max(1, Math.ceil(blocksThatFit / FORECAST_STEPS))
  const fullAfterBytes = new Map<number, number>()
  let written = 0
  const markFull = (below: number): void => {
    for (const drive of free) if (!fullAfterBytes.has(drive.id) && drive.freeBytes < below) fullAfterBytes.set(drive.id, written)
  }
  markFull(shardBytes)
  for (;;) {
    const chosen = policy.place(free, count, shardBytes * batch)
    if (!chosen) break
    for (const id of chosen) {
      const drive = free.find((candidate) => candidate.id === id)!
      drive.freeBytes -= shardBytes * batch
    }
    written += blockSizeBytes * batch
    markFull(shardBytes)
  }
  // What a batch could not take, a block might still: the drives left are as full as a batch tells.
  markFull(shardBytes * batch)
  return {beforeADriveFillsBytes: Math.min(written, ...fullAfterBytes.values()), fullAfterBytes}
}
