import fs from 'node:fs'
import type {Writable} from 'node:stream'
import {ShmrError} from '../errors.js'
import {MAX_FILE_SIZE_BYTES} from '../format/constants.js'
import {catalogShards, type FoundFile} from './catalog.js'
import {decodeFile, type DecodeReport} from './decodeFile.js'
import {checkOutputPath, fileOutput, streamOutput} from './decodeOutput.js'
import {scanShards} from './scanShards.js'
import {isBucketUrl, scanBuckets} from './scanBuckets.js'
import type {ObjectStoreConfig} from '../config/types.js'

/**
 * Every file whose shards are found under `sources` (directories, and s3://bucket/prefix
 * locations of `store`), with its layout and health. No metadata needed.
 */
export async function listShardFiles(sources: readonly string[], store?: ObjectStoreConfig): Promise<FoundFile[]> {
  const urls = sources.filter(isBucketUrl)
  const dirs = sources.filter((source) => !isBucketUrl(source))
  for (const dir of dirs) {
    if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new ShmrError('BAD_ARGUMENT', `${dir} is not a directory`)
  }
  const files = catalogShards([...await scanShards(dirs), ...await scanBuckets(urls, store)])
  if (files.length === 0) throw new ShmrError('NOT_FOUND', `no shard files under ${dirs.join(', ')}`, {hint: 'give the archive drive directories, or a directory shards were copied to'})
  return files
}

export interface DecodeOptions {
  /** Directories, and s3://bucket/prefix locations of `store`. */
  readonly dirs: readonly string[]
  readonly store?: ObjectStoreConfig
  /** Which file, when the directories hold shards of several. */
  readonly fileId?: number
  /** A file path to write (sparse where the file has holes), or a stream such as stdout. */
  readonly output: string | Writable
  readonly partial: boolean
  /**
   * The file's full length, when known from elsewhere: shard names cannot show a trailing hole
   * (a disk image's unwritten end), so the output is extended to this length as a hole.
   */
  readonly sizeBytes?: number
  readonly onStart?: (file: FoundFile) => void
  readonly onBytes?: (bytes: number) => void
}

/** `shmr decode`: rebuilds one file from shard files alone. */
export async function runDecode(options: DecodeOptions): Promise<DecodeReport> {
  if (typeof options.output === 'string') await checkOutputPath(options.output)
  const files = await listShardFiles(options.dirs, options.store)
  const file = chooseFile(files, options.fileId)
  if (file.blocks.length === 0) {
    throw new ShmrError('CORRUPT', `file ${file.fileId} has no shard file whose name can be believed`, {
      details: file.setAside.slice(0, 20).map((shard) => `${shard.file}: ${shard.reason}`),
    })
  }
  if (options.sizeBytes !== undefined && options.sizeBytes < file.sizeBytes) {
    throw new ShmrError('BAD_ARGUMENT', `--size ${options.sizeBytes} is shorter than the data found (${file.sizeBytes} bytes)`)
  }
  if (options.sizeBytes !== undefined && options.sizeBytes > MAX_FILE_SIZE_BYTES) {
    throw new ShmrError('FILE_TOO_LARGE', `--size ${options.sizeBytes} is past the largest file shmr stores (${MAX_FILE_SIZE_BYTES} bytes)`)
  }
  options.onStart?.(file)
  // Opened only once everything that can be refused was: a refusal leaves no temporary file.
  const output = typeof options.output === 'string' ? await fileOutput(options.output) : streamOutput(options.output)
  const sized = options.sizeBytes === undefined ? file : {...file, sizeBytes: options.sizeBytes}
  return decodeFile(sized, output, {partial: options.partial, onBytes: options.onBytes})
}

function chooseFile(files: readonly FoundFile[], fileId: number | undefined): FoundFile {
  if (fileId !== undefined) {
    const file = files.find((candidate) => candidate.fileId === fileId)
    if (!file) throw new ShmrError('NOT_FOUND', `no shards of file ${fileId} here (found: ${files.map((f) => f.fileId).join(', ')})`)
    return file
  }
  if (files.length > 1) {
    throw new ShmrError('BAD_ARGUMENT', `shards of ${files.length} files are here (ids ${files.map((f) => f.fileId).join(', ')})`, {
      hint: 'choose one with --file ID; --list describes them',
    })
  }
  return files[0]!
}
