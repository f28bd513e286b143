import http from 'node:http'
import https from 'node:https'
import {webcrypto} from 'node:crypto'
import type {Readable} from 'node:stream'
import {finished} from 'node:stream/promises'
import * as Minio from 'minio'
import {ShmrError} from '../errors.js'
import type {ObjectStoreConfig} from '../config/types.js'
import {readCredentials} from './credentials.js'

/**
 * One S3-compatible object store, through MinIO's client (minio-js, pinned in package.json):
 * signing, multipart uploads and the S3 XML are its; what a network store does wrong is handled
 * here, the same for every bucket drive of the store:
 * - every request has a deadline (the store's `requestTimeout`): a store that stops answering
 *   fails the request instead of holding it;
 * - dropped connections and 5xx answers are tried again after a growing backoff (TRIES in all),
 *   the client's own retries being off (they print to the console);
 * - throttling (503 SlowDown) is honoured: the request waits and is tried again, for longer than
 *   after other failures (THROTTLED_TRIES): a store limits a rate, and a request sent again too
 *   soon is refused again;
 * - a store that cannot be reached (refused, or silent past the deadline) is tried once more,
 *   then left alone for DOWN_MS: requests fail at once meanwhile, so reads go to the other drives
 *   of a block (degraded) instead of waiting out a deadline each.
 * minio-js rather than the AWS SDK: the SDK's releases after January 2027 need Node 22, and shmr
 * runs on Node 20; minio-js supports Node 20 and later.
 */

/** Shards above this go up in parts of this size (S3 takes at most 5 GiB in one PUT; parts retry alone). */
const PART_BYTES = 16 * 1024 * 1024
/** Parts of one object uploaded at once. */
const PARTS_AT_ONCE = 4
/** Tries of one request, the first included: after an error answer or a dropped connection, which pass. */
const TRIES = 4
/** Tries of one request the store keeps throttling (503): waits of 0.1 s doubling up to LONGEST_BACKOFF_MS, 16 to 33 s in all. */
const THROTTLED_TRIES = 9
/** The longest wait between two tries. */
const LONGEST_BACKOFF_MS = 5000
/** Tries when the store could not be reached at all (refused, or no answer in time): once more, then it counts as down. */
const TRIES_UNREACHABLE = 2
/** Backoff before the second try, doubled for each after it, with up to as much again at random. */
const FIRST_BACKOFF_MS = 100
/** How long an unreachable store is left alone before the next request tries it again. */
const DOWN_MS = 10_000

/** Why a request to the store failed, as the block store needs to know it. */
export type ObjectFailure = 'missing' | 'unreachable' | 'refused'

export class ObjectStoreError extends Error {
  constructor(readonly failure: ObjectFailure, message: string, options?: {cause?: unknown}) {
    super(message, options)
  }
}

const clients = new Map<string, ObjectStoreClient>()

/** The one client of a store (by name and endpoint), made on first use. */
export function objectStoreClient(store: ObjectStoreConfig): ObjectStoreClient {
  const key = `${store.name} ${store.endpoint}`
  let client = clients.get(key)
  if (!client) {
    client = new ObjectStoreClient(store)
    clients.set(key, client)
  }
  return client
}

export interface ListedObject {
  readonly key: string
  readonly sizeBytes: number
}

export class ObjectStoreClient {
  private readonly minio: Minio.Client
  private downUntilMs = 0

  constructor(readonly store: ObjectStoreConfig) {
    const url = new URL(store.endpoint)
    const secure = url.protocol === 'https:'
    const {accessKey, secretKey} = readCredentials(store)
    const timeoutMs = store.requestTimeoutMs
    const transport = secure ? https : http
    this.minio = new Minio.Client({
      endPoint: url.hostname, port: url.port ? Number(url.port) : secure ? 443 : 80, useSSL: secure,
      accessKey, secretKey, region: store.region, pathStyle: store.pathStyle,
      retryOptions: {disableRetry: true},
      // http.request with a deadline: socket inactivity of timeoutMs (connecting, or waiting for bytes) ends it.
      transport: {
        request: (options: http.RequestOptions, callback?: (response: http.IncomingMessage) => void) => {
          const request = transport.request(options, callback)
          request.setTimeout(timeoutMs, () => request.destroy(Object.assign(new Error(`no answer in ${timeoutMs} ms`), {code: 'ETIMEDOUT'})))
          return request
        },
      } as unknown as typeof http,
    })
  }

  /** Reads a whole object into `target`; 'wrong size' when it is not exactly target's length. */
  async getInto(bucket: string, key: string, target: Uint8Array): Promise<'wrong size' | undefined> {
    return this.tried(`GET ${bucket}/${key}`, async () => copyInto(await this.minio.getObject(bucket, key), target))
  }

  /** Reads target.length bytes of an object from `offset` into `target` (one ranged GET). */
  async getRangeInto(bucket: string, key: string, offset: number, target: Uint8Array): Promise<'wrong size' | undefined> {
    return this.tried(`GET ${bucket}/${key} range`, async () => copyInto(await this.minio.getPartialObject(bucket, key, offset, target.byteLength), target))
  }

  /**
   * Stores an object whole (an existing one of that key is replaced whole: readers see the old or
   * the new). Up to PART_BYTES it is one PUT; a larger object is a multipart upload of PART_BYTES
   * parts, PARTS_AT_ONCE in flight, each part tried again alone, the upload aborted if one fails
   * for good. Each body's SHA-256 (signed, over http) is computed by WebCrypto on the thread pool:
   * minio-js's own putObject hashes it twice (MD5 and SHA-256) on this thread, 44 ms per 16 MiB
   * here, which a mount moving data would spend not answering requests.
   */
  async put(bucket: string, key: string, bytes: Uint8Array): Promise<void> {
    const body = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    if (body.byteLength <= PART_BYTES) {
      await this.putBody(`PUT ${bucket}/${key}`, {method: 'PUT', bucketName: bucket, objectName: key}, body)
      return
    }
    const uploadId = await this.tried(`start upload ${bucket}/${key}`, () => this.minio.initiateNewMultipartUpload(bucket, key, {}))
    try {
      const parts: Array<{part: number; etag: string}> = []
      const partCount = Math.ceil(body.byteLength / PART_BYTES)
      for (let first = 1; first <= partCount; first += PARTS_AT_ONCE) {
        const numbers = Array.from({length: Math.min(PARTS_AT_ONCE, partCount - first + 1)}, (_, i) => first + i)
        parts.push(...await Promise.all(numbers.map(async (part) => {
          const slice = body.subarray((part - 1) * PART_BYTES, Math.min(part * PART_BYTES, body.byteLength))
          const headers = await this.putBody(`PUT ${bucket}/${key} part ${part}`,
            {method: 'PUT', bucketName: bucket, objectName: key, query: `uploadId=${encodeURIComponent(uploadId)}&partNumber=${part}`}, slice)
          return {part, etag: String(headers.etag ?? '').replace(/^"|"$/g, '')}
        })))
      }
      await this.tried(`complete upload ${bucket}/${key}`, () => this.minio.completeMultipartUpload(bucket, key, uploadId, parts))
    } catch (error) {
      // The parts uploaded so far take space until the upload is aborted; a failed abort leaves them to the store's lifecycle rules.
      await this.minio.abortMultipartUpload(bucket, key, uploadId).catch(() => undefined)
      throw error
    }
  }

  /** One PUT of a body hashed off this thread (see put), tried again as any request; the answer's headers. */
  private async putBody(what: string, request: {method: 'PUT'; bucketName: string; objectName: string; query?: string}, body: Buffer): Promise<http.IncomingHttpHeaders> {
    const sha256 = this.minio.enableSHA256 ? Buffer.from(await webcrypto.subtle.digest('SHA-256', body)).toString('hex') : ''
    return this.tried(what, async () => {
      const response = await this.minio.makeRequestStreamAsync({...request, headers: {'Content-Length': body.byteLength}}, body, sha256, [200], this.store.region)
      response.resume()
      await finished(response)
      return response.headers
    })
  }

  /** An object's size and last write; undefined when there is none of that key. */
  async stat(bucket: string, key: string): Promise<{sizeBytes: number; mtimeMs: number} | undefined> {
    try {
      const stats = await this.tried(`HEAD ${bucket}/${key}`, () => this.minio.statObject(bucket, key))
      return {sizeBytes: stats.size, mtimeMs: stats.lastModified.getTime()}
    } catch (error) {
      if (error instanceof ObjectStoreError && error.failure === 'missing') return undefined
      throw error
    }
  }

  /** Deletes an object; none of that key is fine (S3 answers the same). */
  async remove(bucket: string, key: string): Promise<void> {
    await this.tried(`DELETE ${bucket}/${key}`, () => this.minio.removeObject(bucket, key))
  }

  /** Every object under `prefix`, in key order. */
  async list(bucket: string, prefix: string): Promise<ListedObject[]> {
    return this.tried(`LIST ${bucket}/${prefix}`, async () => {
      const listed: ListedObject[] = []
      for await (const item of this.minio.listObjectsV2(bucket, prefix, true) as AsyncIterable<{name?: string; size?: number}>) {
        if (item.name !== undefined) listed.push({key: item.name, sizeBytes: item.size ?? 0})
      }
      return listed
    })
  }

  async bucketExists(bucket: string): Promise<boolean> {
    return this.tried(`HEAD ${bucket}`, () => this.minio.bucketExists(bucket))
  }

  async makeBucket(bucket: string): Promise<void> {
    await this.tried(`create bucket ${bucket}`, () => this.minio.makeBucket(bucket, this.store.region))
  }

  /** Runs one request, tried again after a backoff while the failure may pass. */
  private async tried<T>(what: string, request: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      if (Date.now() < this.downUntilMs) {
        throw new ObjectStoreError('unreachable', `object store ${this.store.name} (${this.store.endpoint}) is unreachable; tried again from ${new Date(this.downUntilMs).toISOString()}`)
      }
      try {
        return await request()
      } catch (error) {
        const failure = classify(error)
        const message = `object store ${this.store.name}: ${what}: ${describeFailure(error)}`
        if (failure === 'missing' || failure === 'refused') throw new ObjectStoreError(failure, message, {cause: error})
        if (attempt >= (failure === 'unreachable' ? TRIES_UNREACHABLE : failure === 'throttled' ? THROTTLED_TRIES : TRIES)) {
          if (failure === 'unreachable') this.downUntilMs = Date.now() + DOWN_MS
          throw new ObjectStoreError('unreachable', message, {cause: error})
        }
      }
      const backoffMs = Math.min(LONGEST_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** (attempt - 1))
      await new Promise((resolve) => setTimeout(resolve, backoffMs + Math.random() * backoffMs))
    }
  }
}

/** What to do about a failed request: give up (missing, refused), or try again (retry, throttled, unreachable). */
function classify(error: unknown): ObjectFailure | 'retry' | 'throttled' {
  const code = (error as {code?: unknown}).code
  // A bucket gone is a lost drive, like an object gone: read around it, and refilled by verify --repair.
  if (code === 'NoSuchKey' || code === 'NotFound' || code === 'NoSuchBucket') return 'missing'
  if (code === 'ECONNREFUSED' || code === 'ETIMEDOUT' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'ENOTFOUND') return 'unreachable'
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return 'retry'
  // S3 says "reduce your request rate" with either code; minio-js reports a 503 to a raw request by its status alone.
  if (code === 'SlowDown' || code === 'ServiceUnavailable' || /Retryable HTTP status: 503/.test((error as Error).message ?? '')) return 'throttled'
  if (code === 'InternalError' || code === 'RequestTimeout' || code === 'ServerError') return 'retry'
  if (/Retryable HTTP status|socket hang up/.test((error as Error).message ?? '')) return 'retry'
  return 'refused'
}

/** A failure for a message: the store's code and text, never the request (its headers carry the signature). */
function describeFailure(error: unknown): string {
  const code = (error as {code?: unknown}).code
  const text = ((error as Error).message ?? String(error)).split('\n')[0]!
  return typeof code === 'string' && !text.includes(code) ? `${code}: ${text}` : text
}

async function copyInto(stream: Readable, target: Uint8Array): Promise<'wrong size' | undefined> {
  let at = 0
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    if (at + chunk.byteLength > target.byteLength) {
      stream.destroy()
      return 'wrong size'
    }
    target.set(chunk, at)
    at += chunk.byteLength
  }
  return at === target.byteLength ? undefined : 'wrong size'
}

/** The ShmrError for a store that failed a write or listing shmr cannot do without. */
export function objectStoreShmrError(error: unknown): ShmrError {
  if (error instanceof ObjectStoreError) {
    return new ShmrError(error.failure === 'unreachable' ? 'UNAVAILABLE' : 'IO', error.message, {
      cause: error, hint: error.failure === 'refused' ? 'check the bucket exists and the credentials may write it' : 'check the store is up and reachable',
    })
  }
  return error instanceof ShmrError ? error : new ShmrError('IO', (error as Error).message, {cause: error})
}
