/** Free space of one drive, as a placement policy sees it. Policies do no I/O: stats are passed in. */
export interface DriveSpace {
  readonly id: number
  readonly freeBytes: number
  readonly totalBytes: number
}

/**
 * Chooses `count` distinct drives for the shards of one block, each of which must have room for
 * `shardBytes`. Returns drive ids in shard order, or undefined when too few drives have room.
 * Deterministic: ties break by drive id.
 */
export interface PlacementPolicy {
  readonly name: string
  readonly description: string
  place(drives: readonly DriveSpace[], count: number, shardBytes: number): number[] | undefined
}

/** Shared by policies that rank drives by a score (higher first), ties by id. */
export function pickTop(
  drives: readonly DriveSpace[], count: number, shardBytes: number, score: (drive: DriveSpace) => number,
): number[] | undefined {
  const candidates = drives.filter((drive) => drive.freeBytes >= shardBytes)
  if (candidates.length < count) return undefined
  return candidates
    .map((drive) => ({drive, score: score(drive)}))
    .sort((a, b) => b.score - a.score || a.drive.id - b.drive.id)
    .slice(0, count)
    .map(({drive}) => drive.id)
}
