import type {MetaStore} from './metaStore.js'

/**
 * MIGRATIONS[v] upgrades a store from format v to v + 1 inside the opening transaction.
 * Format 1 is the first; add an entry (and a fixture test) with every FORMAT_VERSION bump.
 */
export const MIGRATIONS: Readonly<Record<number, (store: MetaStore) => void>> = {}
