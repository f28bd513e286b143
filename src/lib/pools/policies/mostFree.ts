import {pickTop, type PlacementPolicy} from './policy.js'

/**
 * The drives with the most free bytes (mergerfs's `mfs`). Big drives take every stripe until their
 * free space comes down to the others', then all fill evenly. Always taking the emptiest drives
 * is also what fits the most stripes of distinct drives onto a set of mixed sizes.
 */
export const mostFree: PlacementPolicy = {
  name: 'mostFree',
  description: 'drives with the most free bytes first; evens out free space, fits the most stripes',
  place: (drives, count, shardBytes) => pickTop(drives, count, shardBytes, (drive) => drive.freeBytes),
}
