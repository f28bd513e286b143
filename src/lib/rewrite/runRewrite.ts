import type {ShmrConfig} from '../config/types.js'
import {parseBlockSize} from '../config/schema.js'
import {ShmrError, isShmrError} from '../errors.js'
import {migrateThroughMount} from '../control/migrateThroughMount.js'
import {runMigration, type MigrationOptions, type ServerFilesystem, type ShiftReport} from '../shift/runShift.js'

export interface RewriteOptions extends MigrationOptions {
  readonly blockSizeBytes: number
}

/** Checks a requested block size against the config's rules (a power of two, 64 KiB to 256 MiB). */
export function checkBlockSize(bytes: number): number {
  try {
    return parseBlockSize(bytes)
  } catch (error) {
    if (isShmrError(error)) throw new ShmrError('BAD_ARGUMENT', error.message)
    throw error
  }
}

/**
 * `shmr rewrite --block-size`: cuts files into blocks of a new size, each file staying in its
 * pool with its scheme (archive files are re-encoded the same way). The shift engine does the
 * work, so it is just as crash-safe: new blocks staged, one swap per file, old files tombstoned.
 */
export async function runRewrite(config: ShmrConfig, options: RewriteOptions, server?: ServerFilesystem): Promise<ShiftReport> {
  const blockSizeBytes = checkBlockSize(options.blockSizeBytes)
  if (!server) {
    const online = await migrateThroughMount<ShiftReport>(config, 'rewrite', options)
    if (online) return online
  }
  return runMigration(config, options, 'rewrite', (pools, store) => ({
    summary: {pool: '(each file\'s own)', scheme: '(each file\'s own)', blockSizeBytes},
    forFile: (ino) => {
      const first = store.blockMaps.firstBlock(ino)
      const pool = first ? pools.pool(pools.drive(first.record.shards[0]!.drive)!.poolName) : pools.writePool
      return {pool, topology: first ? first.record.topology : pool.topology, blockSizeBytes}
    },
  }), server)
}
