import {BlockStore} from '../../src/lib/blocks/blockStore.js'
import type {ShmrConfig} from '../../src/lib/config/types.js'
import {initFilesystem} from '../../src/lib/init/initFilesystem.js'
import {MetaStore} from '../../src/lib/meta/metaStore.js'
import {PoolSet} from '../../src/lib/pools/poolSet.js'
import {fixtureConfig, type FixtureOptions} from './fixtureFs.js'
import {tempDir} from './tempDir.js'

export interface OpenFixture {
  readonly config: ShmrConfig
  readonly store: MetaStore
  readonly pools: PoolSet
  readonly blocks: BlockStore
}

/** A freshly initialised filesystem in a temp dir, opened. Close `store` when done. */
export async function openFixture(options: FixtureOptions = {}): Promise<OpenFixture> {
  const config = fixtureConfig(tempDir(), options)
  await initFilesystem(config)
  const store = await MetaStore.open(config.metadataDir)
  const pools = await PoolSet.open(config, store.superblock)
  return {config, store, pools, blocks: new BlockStore(pools)}
}
