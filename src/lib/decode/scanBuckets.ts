import path from 'node:path'
import {ShmrError} from '../errors.js'
import {parseShardName} from '../format/shardName.js'
import type {ObjectStoreConfig} from '../config/types.js'
import {parseBucketUrl} from '../config/objectStores.js'
import {BucketDrive} from '../pools/bucketDrive.js'
import type {FoundShard} from './scanShards.js'

export function isBucketUrl(source: string): boolean {
  return source.startsWith('s3://')
}

/**
 * Lists the shard objects under each s3://bucket[/prefix] of `store` (every object whose name,
 * after its last '/', is a shard name: a drive's prefix, or any prefix above several drives'),
 * each read with a GET when decode needs it. Like a directory walk, only names are parsed.
 */
export async function scanBuckets(urls: readonly string[], store: ObjectStoreConfig): Promise<FoundShard[]> {
  const found: FoundShard[] = []
  for (const url of urls) {
    const {bucket, prefix} = parseBucketUrl(url)
    const drive = new BucketDrive(0, url, 'decode', {store, bucket, prefix})
    let listed: Array<{key: string; sizeBytes: number}>
    try {
      listed = await drive.listAll()
    } catch (error) {
      throw new ShmrError('UNAVAILABLE', `cannot list ${url}: ${(error as Error).message}`, {hint: 'check --endpoint, the credentials ($AWS_ACCESS_KEY_ID, $AWS_SECRET_ACCESS_KEY or --credentials-file) and the bucket name'})
    }
    for (const {key, sizeBytes} of listed) {
      const name = parseShardName(path.posix.basename(key))
      if (name) found.push({file: `s3://${bucket}/${prefix}${key}`, name, sizeBytes, read: (target, crc) => drive.readChecked(key, target, crc)})
    }
  }
  return found
}
