import {Buffer} from 'node:buffer'
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

  async space(): Promise<DriveStats> {
    if (this.usedBytes === undefined) {
      const listed = await this.client.list(this.bucket.bucket, this.key(`${DRIVE_DATA_DIR}/`)).catch((error: unknown) => { throw objectStoreShmrError(error) })
      this.usedBytes ??= listed.reduce((sum, object) => sum + object.sizeBytes, 0)
    }
    const totalBytes = this.bucket.store.capacityBytes
    return {id: this.id, freeBytes: Math.max(0, totalBytes - this.usedBytes), totalBytes, unitBytes: 1}
  }

  async stat(relativePath: string): Promise<FileStat | undefined> {
    return this.client.stat(this.bucket.bucket, this.key(relativePath)).catch((error: unknown) => { throw objectStoreShmrError(error) })
  }

  async listDir(relativeDir: string): Promise<string[]> {
    const prefix = this.key(`${relativeDir}/`)
    const listed = await this.client.list(this.bucket.bucket, prefix).catch((error: unknown) => { throw objectStoreShmrError(error) })
    return listed.map((object) => object.key.slice(prefix.length)).filter((name) => !name.includes('/'))
  }

  async removeFile(relativePath: string): Promise<RemovedFile> {
    const sizeBytes = await this.fileSize(relativePath) ?? 0
    await this.client.remove(this.bucket.bucket, this.key(relativePath)).catch((error: unknown) => { throw objectStoreShmrError(error) })
    if (this.usedBytes !== undefined) this.usedBytes = Math.max(0, this.usedBytes - sizeBytes)
    return {sizeBytes, allocatedBytes: sizeBytes}
  }

  async readChecked(relativePath: string, target: Uint8Array, expectedCrc: number): Promise<ShardFault | undefined> {
    const fault = await this.fetch(() => this.client.getInto(this.bucket.bucket, this.key(relativePath), target))
    if (fault) return fault
    return (await blocksAddon().crc32c(target)) >>> 0 === expectedCrc >>> 0 ? undefined : 'checksum mismatch'
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
    const listed = await this.client.list(this.bucket.bucket, this.key(`${DRIVE_DATA_DIR}/`)).catch((error: unknown) => { throw objectStoreShmrError(error) })
    return listed.map((object) => object.key.slice(this.bucket.prefix.length))
  }

  /** A whole file of the drive (an object); undefined when there is none. */
  async readFile(relativePath: string): Promise<Buffer | undefined> {
    const key = this.key(relativePath)
    try {
      const found = await this.client.stat(this.bucket.bucket, key)
      if (found === undefined) return undefined
      const bytes = Buffer.alloc(found.sizeBytes)
      return await this.client.getInto(this.bucket.bucket, key, bytes) === undefined ? bytes : undefined
    } catch (error) {
      throw objectStoreShmrError(error)
    }
  }

  /** The first bytes of a file of the drive (fewer when it is shorter): one ranged GET. */
  async readFileHead(relativePath: string, maxBytes: number): Promise<Buffer> {
    const key = this.key(relativePath)
    try {
      const found = await this.client.stat(this.bucket.bucket, key)
      const bytes = Buffer.alloc(Math.min(maxBytes, found?.sizeBytes ?? 0))
      if (bytes.length > 0) await this.client.getRangeInto(this.bucket.bucket, key, 0, bytes)
      return bytes
    } catch (error) {
      throw objectStoreShmrError(error)
    }
  }

  /** Every object under the drive's prefix (its key relative to the prefix) and its size. */
  async listAll(): Promise<Array<{key: string; sizeBytes: number}>> {
    const listed = await this.client.list(this.bucket.bucket, this.bucket.prefix).catch((error: unknown) => { throw objectStoreShmrError(error) })
    return listed.map((object) => ({key: object.key.slice(this.bucket.prefix.length), sizeBytes: object.sizeBytes}))
  }

  async readIdentity(): Promise<DriveIdentity | undefined> {
    const bytes = await this.readFile(DRIVE_IDENTITY_FILE)
    return bytes && parseDriveIdentity(bytes.toString('utf8'), `${this.location} ${DRIVE_IDENTITY_FILE}`)
  }

  async writeIdentity(identity: DriveIdentity): Promise<void> {
    await this.client.put(this.bucket.bucket, this.key(DRIVE_IDENTITY_FILE), Buffer.from(`${JSON.stringify(identity, null, 2)}\n`))
      .catch((error: unknown) => { throw objectStoreShmrError(error) })
  }

  /** Whether the drive holds nothing at all (a new drive, or one replaced by an empty bucket). */
  async isEmpty(): Promise<boolean> {
    if (!await this.client.bucketExists(this.bucket.bucket).catch((error: unknown) => { throw objectStoreShmrError(error) })) return true
    const listed = await this.client.list(this.bucket.bucket, this.bucket.prefix).catch((error: unknown) => { throw objectStoreShmrError(error) })
    return listed.length === 0
  }

  /** Creates the bucket when the store has none of that name. */
  async ensureBucket(): Promise<void> {
    try {
      if (!await this.client.bucketExists(this.bucket.bucket)) await this.client.makeBucket(this.bucket.bucket)
    } catch (error) {
      throw objectStoreShmrError(error)
    }
  }

  private async put(relativePath: string, bytes: Uint8Array): Promise<void> {
    try {
      await this.client.put(this.bucket.bucket, this.key(relativePath), bytes)
    } catch (error) {
      throw objectStoreShmrError(error)
    }
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

