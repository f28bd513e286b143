import fs from 'node:fs/promises'
import path from 'node:path'
import {crc32c} from '../blocks/checksum.js'
import {BLOCKS_PER_FANOUT_GROUP, DRIVE_DATA_DIR} from '../format/constants.js'
import {formatShardName, type ShardName} from '../format/shardName.js'
import type {DriveSpace} from './policies/index.js'

/** One directory of a pool (usually one physical drive's mount point). */
export class Drive {
  constructor(
    readonly id: number,
    readonly name: string,
    readonly poolName: string,
    readonly dir: string,
  ) {}

  /**
   * Where a shard file lives, relative to the drive directory: `shmr/<xx>/<yy>/<name>`, with the
   * two fan-out levels taken from a hash of (file, group of BLOCKS_PER_FANOUT_GROUP blocks): no
   * directory grows past a few thousand entries, a file's consecutive blocks share a directory,
   * and every shard of one block sits at the same relative path on its drive.
   */
  static relativeShardPath(name: ShardName): string {
    return path.join(Drive.relativeShardDir(name.fileId, name.blockIndex), formatShardName(name))
  }

  /** The fan-out directory (relative to the drive) that holds the shards of a file's block. */
  static relativeShardDir(fileId: number, blockIndex: number): string {
    const hash = crc32c(Buffer.from(`${fileId}.${Math.floor(blockIndex / BLOCKS_PER_FANOUT_GROUP)}`))
    const hex = hash.toString(16).padStart(8, '0')
    return path.join(DRIVE_DATA_DIR, hex.slice(0, 2), hex.slice(2, 4))
  }

  shardPath(name: ShardName): string {
    return path.join(this.dir, Drive.relativeShardPath(name))
  }

  resolve(relativePath: string): string {
    return path.join(this.dir, relativePath)
  }

  async space(): Promise<DriveStats> {
    const stats = await fs.statfs(this.dir)
    return {id: this.id, freeBytes: stats.bavail * stats.bsize, totalBytes: stats.blocks * stats.bsize, unitBytes: stats.bsize}
  }

  /** The size of a file of the drive; undefined when it is not there. */
  async fileSize(relativePath: string): Promise<number | undefined> {
    return fs.stat(this.resolve(relativePath)).then((stats) => stats.size, () => undefined)
  }

  /** Deletes a file of the drive (gone already is fine): its size, and the bytes of the drive it took. */
  async removeFile(relativePath: string): Promise<RemovedFile> {
    const file = this.resolve(relativePath)
    const stats = await fs.stat(file).catch(() => undefined)
    await fs.rm(file, {force: true})
    return {sizeBytes: stats?.size ?? 0, allocatedBytes: (stats?.blocks ?? 0) * 512}
  }
}

/** A drive's space, and the unit its filesystem allocates in (a file takes whole units). */
export interface DriveStats extends DriveSpace {
  readonly unitBytes: number
}

export interface RemovedFile {
  readonly sizeBytes: number
  /** What the drive got back (st_blocks are 512-byte units whatever the filesystem). */
  readonly allocatedBytes: number
}
