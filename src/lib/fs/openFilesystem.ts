import type {BlockStore} from '../blocks/blockStore.js'
import type {MetaStore} from '../meta/metaStore.js'
import type {PoolSet} from '../pools/poolSet.js'
import type {Namespace} from './namespace.js'

/**
 * The parts of an open filesystem an engine (shift, drain, verify, gc, inspect) works on: opened
 * by a command offline or read-only, or lent by the mounted server, whose own they are.
 */
export interface OpenFilesystem {
  readonly store: MetaStore
  readonly pools: PoolSet
  readonly blocks: BlockStore
}

/** An open filesystem with its namespace, for engines that take paths. */
export interface OpenNamespace extends OpenFilesystem {
  readonly namespace: Namespace
}
