import path from 'node:path'
import {ShmrError} from '../errors.js'
import {parseShardName} from '../format/shardName.js'
import type {ObjectStoreConfig} from '../config/types.js'
import {parseBucketUrl} from '../config/objectStores.js'
export {isBucketUrl} from '../config/objectStores.js'
import {BucketDrive} from '../pools/bucketDrive.js'
import type {FoundShard} from './scanShards.js'

/** Each s3://BUCKET[/PREFIX] of `store` as a drive to read from (named by its URL). */
export function bucketDrivesOf(urls: readonly string[], store: ObjectStoreConfig | undefined): BucketDrive[] {
  if (urls.length > 0 && !store) throw new ShmrError('BAD_ARGUMENT', `${urls[0]} is in an object store: say which`, {hint: 'add --endpoint http://HOST:PORT (credentials from $AWS_ACCESS_KEY_ID and $AWS_SECRET_ACCESS_KEY, or --credentials-file)'})
  return urls.map((url) => new BucketDrive(0, url, 'decode', {store: store!, ...parseBucketUrl(url)}))
}

/**
 * Lists the shard objects under each s3://bucket[/prefix] of `store` (every object whose name,
 * after its last '/', is a shard name: a drive's prefix, or any prefix above several drives'),
 * each read with a GET when decode needs it. Like a directory walk, only names are parsed.
 */
export async function scanBuckets(urls: readonly string[], store: ObjectStoreConfig | undefined): Promise<FoundShard[]> {
  const found: FoundShard[] = []
  for (const drive of bucketDrivesOf(urls, store)) {
    const url = drive.name
    const {bucket, prefix} = drive.bucket
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
