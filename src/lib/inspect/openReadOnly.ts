import {BlockStore} from '../blocks/blockStore.js'
import type {ShmrConfig} from '../config/types.js'
import {Namespace} from '../fs/namespace.js'
import {MetaStore} from '../meta/metaStore.js'
import {PoolSet} from '../pools/poolSet.js'
import type {OpenNamespace} from '../fs/openFilesystem.js'

export type ReadOnlyFs = OpenNamespace

/**
 * Opens a filesystem for looking only: no lock (a mount may be running beside it), the metadata
 * store read-only, missing drives tolerated (they show as absent).
 */
export async function withReadOnlyFs<T>(config: ShmrConfig, work: (fs: ReadOnlyFs) => Promise<T>): Promise<T> {
  const store = await MetaStore.open(config.metadataDir, {readOnly: true})
  try {
    const pools = await PoolSet.open(config, store.superblock, {allowUnavailable: true})
    const blocks = new BlockStore(pools)
    return await work({store, pools, blocks, namespace: new Namespace(store, blocks, {isOpen: () => false})})
  } finally {
    await store.close()
  }
}
