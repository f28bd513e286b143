import {MetaStore} from '../../src/lib/meta/metaStore.js'

/**
 * Waits until a shift or rewrite running in another process has staged at least `min` blocks
 * (read-only beside it: LMDB lets readers in while a writer holds the store). Gives up after
 * `limitMs`; the caller asserts on what it got.
 */
export async function waitForStaged(metadataDir: string, min: number, limitMs = 30_000): Promise<number> {
  const store = await MetaStore.open(metadataDir, {readOnly: true})
  try {
    const deadline = Date.now() + limitMs
    let staged = 0
    while ((staged = store.staged.count()) < min && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50))
    return staged
  } finally {
    await store.close()
  }
}
