import {pickTop, type PlacementPolicy} from './policy.js'

/**
 * The drives with the largest free fraction of their size: drives of different sizes stay at the
 * same fill level. Can strand space on the largest drive sooner than mostFree.
 */
export const leastUsedFraction: PlacementPolicy = {
  name: 'leastUsedFraction',
  description: 'drives with the largest free fraction first; all drives stay equally full',
  place: (drives, count, shardBytes) =>
    pickTop(drives, count, shardBytes, (drive) => (drive.totalBytes > 0 ? drive.freeBytes / drive.totalBytes : 0)),
}
