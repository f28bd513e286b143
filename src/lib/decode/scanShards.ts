import fs from 'node:fs'
import path from 'node:path'
import type {ShardFault} from '../blocks/shardFile.js'
import {parseShardName, type ShardName} from '../format/shardName.js'

/** A shard file found on disk or in a bucket: where it is (as found by walking or listing, never from its name) and what its name says. */
export interface FoundShard {
  /** Its path, or s3://bucket/key for an object. */
  readonly file: string
  readonly name: ShardName
  readonly sizeBytes: number
  /** How to read it when it is not a local file (an object of a store). */
  readonly read?: (target: Uint8Array, expectedCrc: number) => Promise<ShardFault | undefined>
}

/**
 * Walks directories for shard files (recursively, not following symbolic links). Only the file
 * name is parsed, and only as data: paths come from the walk, so a name cannot point elsewhere.
 * Synchronous: decode is a command, never the serving thread, and a walk awaiting each readdir,
 * realpath and stat in turn spent most of its time waiting (10,000 small files on six drives:
 * more than 25 s; synchronously about 1 s).
 */
export async function scanShards(dirs: readonly string[]): Promise<FoundShard[]> {
  const found: FoundShard[] = []
  // A directory given twice, or inside another given one, is walked once: known by device and inode.
  const seen = new Set<string>()
  const walk = (dir: string): void => {
    const stats = fs.statSync(dir)
    const id = `${stats.dev}:${stats.ino}`
    if (seen.has(id)) return
    seen.add(id)
    for (const entry of fs.readdirSync(dir, {withFileTypes: true})) {
      const file = path.join(dir, entry.name)
      if (entry.isDirectory()) walk(file)
      else if (entry.isFile()) {
        const name = parseShardName(entry.name)
        if (name) found.push({file, name, sizeBytes: fs.statSync(file).size})
      }
    }
  }
  for (const dir of dirs) walk(dir)
  return found
}
