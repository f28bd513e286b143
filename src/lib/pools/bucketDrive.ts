import {Buffer} from 'node:buffer'
import {crc32cOfBlock} from '../blocks/checksum.js'
import type {ShardFault} from '../blocks/shardFile.js'
import {describeBucket} from '../config/objectStores.js'
import type {BucketLocation} from '../config/types.js'
import {DRIVE_DATA_DIR, DRIVE_IDENTITY_FILE} from '../format/constants.js'
import {blocksAddon} from '../native/blocksAddon.js'
import {objectStoreClient, ObjectStoreError, objectStoreShmrError, type ObjectStoreClient} from '../objectStore/objectStoreClient.js'
import {Drive, type DriveStats, type FileStat, type RemovedFile} from './drive.js'
import {parseDriveIdentity, type DriveIdentity} from './driveIdentity.js'

/**
 * A drive that is a bucket, or a prefix in one, of an S3-compatible object store: one object per
 * file a directory drive would hold, its key the prefix and the file's relative path, so a bucket
 * copied to a directory is a directory drive (and `shmr decode` reads either). A PUT is durable
 * and atomic when the store answers it, so writes need no fsync and replacing needs no rename.
 * A store reports no free space: the drive counts as the store's `capacity`, less what its
 * objects take (listed once, then counted as shmr writes and deletes).
 */
export class BucketDrive extends Drive {
  readonly dir = undefined
  private usedBytes: number | undefined

  constructor(id: number, name: string, poolName: string, readonly bucket: BucketLocation) {
    super(id, name, poolName)
  }

  get location(): string {
    return describeBucket(this.bucket)
  }

  private get client(): ObjectStoreClient {
    return objectStoreClient(this.bucket.store)
  }

  private key(relativePath: string): string {
    return this.bucket.prefix + relativePath
  }

  /** Runs a request of the store, its failure as the ShmrError a command or the mount reports. */
  private async request<T>(call: (client: ObjectStoreClient, bucket: string) => Promise<T>): Promise<T> {
    try {
      return await call(this.client, this.bucket.bucket)
    } catch (error) {
      throw objectStoreShmrError(error)
    }
  }

  async space(): Promise<DriveStats> {
    if (this.usedBytes === undefined) {
      const listed = await this.listAll(`${DRIVE_DATA_DIR}/`)
      this.usedBytes ??= listed.reduce((sum, object) => sum + object.sizeBytes, 0)
    }
    const totalBytes = this.bucket.store.capacityBytes
    return {id: this.id, freeBytes: Math.max(0, totalBytes - this.usedBytes), totalBytes, unitBytes: 1}
  }

  async stat(relativePath: string): Promise<FileStat | undefined> {
    return this.request((client, bucket) => client.stat(bucket, this.key(relativePath)))
  }

  async listDir(relativeDir: string): Promise<string[]> {
    const dir = `${relativeDir}/`
    return (await this.listAll(dir)).map((object) => object.key.slice(dir.length)).filter((name) => !name.includes('/'))
  }

  async removeFile(relativePath: string): Promise<RemovedFile> {
    const sizeBytes = await this.fileSize(relativePath) ?? 0
    await this.request((client, bucket) => client.remove(bucket, this.key(relativePath)))
    if (this.usedBytes !== undefined) this.usedBytes = Math.max(0, this.usedBytes - sizeBytes)
    return {sizeBytes, allocatedBytes: sizeBytes}
  }

  async readChecked(relativePath: string, target: Uint8Array, expectedCrc: number): Promise<ShardFault | undefined> {
    const fault = await this.fetch(() => this.client.getInto(this.bucket.bucket, this.key(relativePath), target))
    if (fault) return fault
    return (await crc32cOfBlock(target)) === expectedCrc >>> 0 ? undefined : 'checksum mismatch'
  }

  async readChunks(relativePath: string, target: Uint8Array, offset: number, fileLength: number, sums: Uint8Array, chunkBytes: number): Promise<ShardFault | undefined> {
    if (offset + target.byteLength > fileLength) return 'wrong size'
    const fault = await this.fetch(() => this.client.getRangeInto(this.bucket.bucket, this.key(relativePath), offset, target))
    if (fault) return fault
    const found = Buffer.alloc(sums.byteLength)
    await blocksAddon().crc32cChunks(target, chunkBytes, found)
    return Buffer.compare(found, sums) === 0 ? undefined : 'checksum mismatch'
  }

  async writeNew(relativePath: string, bytes: Uint8Array): Promise<void> {
    await this.put(relativePath, bytes)
  }

  async replace(relativePath: string, bytes: Uint8Array): Promise<void> {
    await this.put(relativePath, bytes)
  }

  async makeDurable(): Promise<void> {
    // Each PUT was durable when the store answered it.
  }

  async listDataFiles(): Promise<string[]> {
    return (await this.listAll(`${DRIVE_DATA_DIR}/`)).map((object) => object.key)
  }

  /** A whole file of the drive (an object); undefined when there is none. */
  async readFile(relativePath: string): Promise<Buffer | undefined> {
    const key = this.key(relativePath)
    return this.request(async (client, bucket) => {
      const found = await client.stat(bucket, key)
      if (found === undefined) return undefined
      const bytes = Buffer.alloc(found.sizeBytes)
      return await client.getInto(bucket, key, bytes) === undefined ? bytes : undefined
    })
  }

  /** The first bytes of a file of the drive (fewer when it is shorter): one ranged GET. */
  async readFileHead(relativePath: string, maxBytes: number): Promise<Buffer> {
    const key = this.key(relativePath)
    return this.request(async (client, bucket) => {
      const found = await client.stat(bucket, key)
      const bytes = Buffer.alloc(Math.min(maxBytes, found?.sizeBytes ?? 0))
      if (bytes.length > 0) await client.getRangeInto(bucket, key, 0, bytes)
      return bytes
    })
  }

  /**
   * Every object under `relativePrefix` of the drive (all of it by default), its key relative to
   * the drive and its size: one listing, sizes included (no request per object).
   */
  async listAll(relativePrefix = ''): Promise<Array<{key: string; sizeBytes: number}>> {
    const listed = await this.request((client, bucket) => client.list(bucket, this.key(relativePrefix)))
    return listed.map((object) => ({key: object.key.slice(this.bucket.prefix.length), sizeBytes: object.sizeBytes}))
  }

  async readIdentity(): Promise<DriveIdentity | undefined> {
    const bytes = await this.readFile(DRIVE_IDENTITY_FILE)
    return bytes && parseDriveIdentity(bytes.toString('utf8'), `${this.location} ${DRIVE_IDENTITY_FILE}`)
  }

  async writeIdentity(identity: DriveIdentity): Promise<void> {
    await this.request((client, bucket) => client.put(bucket, this.key(DRIVE_IDENTITY_FILE), Buffer.from(`${JSON.stringify(identity, null, 2)}\n`)))
  }

  /** Whether the drive holds nothing at all (a new drive, or one replaced by an empty bucket). */
  async isEmpty(): Promise<boolean> {
    if (!await this.request((client, bucket) => client.bucketExists(bucket))) return true
    return (await this.listAll()).length === 0
  }

  /** Creates the bucket when the store has none of that name. */
  async ensureBucket(): Promise<void> {
    await this.request(async (client, bucket) => {
      if (!await client.bucketExists(bucket)) await client.makeBucket(bucket)
    })
  }

  private async put(relativePath: string, bytes: Uint8Array): Promise<void> {
    await this.request((client, bucket) => client.put(bucket, this.key(relativePath), bytes))
    if (this.usedBytes !== undefined) this.usedBytes += bytes.byteLength
  }

  /** A read's fault: what the store answered, as a shard fault (a store that is down: the drive is unavailable). */
  private async fetch(read: () => Promise<'wrong size' | undefined>): Promise<ShardFault | undefined> {
    try {
      return await read()
    } catch (error) {
      if (!(error instanceof ObjectStoreError)) throw error
      if (error.failure === 'missing') return 'missing'
      if (error.failure === 'unreachable') return 'drive unavailable'
      return `read error: ${error.message}`
    }
  }
}

