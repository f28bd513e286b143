import {ShmrError} from '../errors.js'
import {formatSize} from '../format/size.js'
import type {DriveSpace, PlacementPolicy} from './policies/index.js'

/**
 * Chooses distinct drives for the `count` shards of one block, or throws NO_SPACE before anything
 * is written when too few drives have room.
 */
export function placeShards(
  policy: PlacementPolicy, poolName: string, drives: readonly DriveSpace[], count: number, shardBytes: number,
): number[] {
  const chosen = policy.place(drives, count, shardBytes)
  if (chosen) return chosen
  const withRoom = drives.filter((drive) => drive.freeBytes >= shardBytes).length
  throw new ShmrError('NO_SPACE',
    `pool ${poolName} needs ${count} drives with ${formatSize(shardBytes)} free for one block, only ${withRoom} of ${drives.length} have room`,
    {hint: 'free space on the pool\'s drives, add drives, or use a narrower scheme'})
}
