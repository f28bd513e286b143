import {toleratedLosses} from '../blocks/topology.js'
import type {Namespace} from '../fs/namespace.js'
import {resolveTargets} from '../fs/targets.js'
import type {MetaStore} from '../meta/metaStore.js'
import type {PoolSet} from '../pools/poolSet.js'

/**
 * The files that cannot be read while the pools' unavailable drives are gone: a block with more
 * shards on them than its scheme tolerates. Their paths; none when every drive is there.
 */
export function unreadableFiles(store: MetaStore, pools: PoolSet, namespace: Namespace, mountpoint: string): string[] {
  if (pools.unavailable.size === 0) return []
  return resolveTargets(store, namespace, ['/'], true, mountpoint).filter((file) => store.blockMaps.blocksOf(file.ino).some(({record}) =>
    record.shards.filter((shard) => pools.unavailable.has(shard.drive)).length > toleratedLosses(record.topology))).map((file) => file.label)
}
