import type {DriveConfig} from '../config/types.js'
import {BucketDrive} from './bucketDrive.js'
import {DirectoryDrive} from './directoryDrive.js'
import type {Drive} from './drive.js'

/** The drive a config entry names: a directory or a bucket. */
export function openDrive(id: number, poolName: string, config: DriveConfig): Drive {
  return config.bucket ? new BucketDrive(id, config.name, poolName, config.bucket) : new DirectoryDrive(id, config.name, poolName, config.dir)
}
