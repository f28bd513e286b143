import {leastUsedFraction} from './leastUsedFraction.js'
import {mostFree} from './mostFree.js'
import type {PlacementPolicy} from './policy.js'

export type {DriveSpace, PlacementPolicy} from './policy.js'

/** Every placement policy, by the name the config uses. */
export const PLACEMENT_POLICIES: Readonly<Record<string, PlacementPolicy>> = {
  [leastUsedFraction.name]: leastUsedFraction,
  [mostFree.name]: mostFree,
}

export const DEFAULT_PLACEMENT_POLICY = mostFree.name
