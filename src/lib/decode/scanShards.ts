import fs from 'node:fs/promises'
import path from 'node:path'
import {parseShardName, type ShardName} from '../format/shardName.js'

/** A shard file found on disk: where it is (as found by walking, never from its name) and what its name says. */
export interface FoundShard {
  readonly file: string
  readonly name: ShardName
  readonly sizeBytes: number
}

/**
 * Walks directories for shard files (recursively, not following symbolic links). Only the file
 * name is parsed, and only as data: paths come from the walk, so a name cannot point elsewhere.
 */
export async function scanShards(dirs: readonly string[]): Promise<FoundShard[]> {
  const found: FoundShard[] = []
  const seen = new Set<string>()
  const walk = async (dir: string): Promise<void> => {
    const real = await fs.realpath(dir)
    if (seen.has(real)) return
    seen.add(real)
    for (const entry of await fs.readdir(dir, {withFileTypes: true})) {
      const file = path.join(dir, entry.name)
      if (entry.isDirectory()) await walk(file)
      else if (entry.isFile()) {
        const name = parseShardName(entry.name)
        if (name) found.push({file, name, sizeBytes: (await fs.stat(file)).size})
      }
    }
  }
  for (const dir of dirs) await walk(dir)
  return found
}
