import fs from 'node:fs/promises'
import path from 'node:path'
import {readShardFile, shardFault, type ShardFault} from '../blocks/shardFile.js'
import {PRIVATE_DIR_MODE} from '../format/constants.js'
import {blocksAddon, throwIfFailed, type IoPriority} from '../native/blocksAddon.js'
import {Drive, type DriveStats, type FileStat, type RemovedFile} from './drive.js'
import {systemErrorCode} from '../errors.js'
import {readDriveIdentity, writeDriveIdentity, type DriveIdentity} from './driveIdentity.js'
import {replaceFile, syncFilesystem, syncPath, writeNewFile} from './durableFile.js'
import {listDataFiles} from './listDataFiles.js'
import {SharedWork} from '../sharedWork.js'

/**
 * A group commit's files on one drive are made durable by one syncfs(2) from this many on, by an
 * fsync each (and one per directory) below: many small files' blocks, written out together, cost
 * one journal commit instead of one each.
 */
const SYNCFS_FROM_FILES = 8

/** A drive that is a directory: its files are files, read and written by the blocks addon off the serving thread. */
export class DirectoryDrive extends Drive {
  /** Fan-out directories known to exist (made durable when created). */
  private readonly knownDirs = new Set<string>()
  private readonly makingDirs = new SharedWork<string, void>()

  constructor(id: number, name: string, poolName: string, readonly dir: string) {
    super(id, name, poolName)
  }

  get location(): string {
    return this.dir
  }

  resolve(relativePath: string): string {
    return path.join(this.dir, relativePath)
  }

  async space(): Promise<DriveStats> {
    const stats = await fs.statfs(this.dir)
    return {id: this.id, freeBytes: stats.bavail * stats.bsize, totalBytes: stats.blocks * stats.bsize, unitBytes: stats.bsize}
  }

  async stat(relativePath: string): Promise<FileStat | undefined> {
    return fs.stat(this.resolve(relativePath)).then((stats) => ({sizeBytes: stats.size, mtimeMs: stats.mtimeMs}), () => undefined)
  }

  async listDir(relativeDir: string): Promise<string[]> {
    try {
      return await fs.readdir(this.resolve(relativeDir))
    } catch (error) {
      if (systemErrorCode(error) === 'ENOENT') return []
      throw error
    }
  }

  async removeFile(relativePath: string): Promise<RemovedFile> {
    return (await this.removeFiles([relativePath]))[0]!
  }

  /** As removeFile for each, in one job off the serving thread (native/blocks, remove_files). */
  override async removeFiles(relativePaths: readonly string[]): Promise<RemovedFile[]> {
    const removed = new Float64Array(3 * relativePaths.length)
    const files = relativePaths.map((relative) => this.resolve(relative))
    await blocksAddon().removeFiles(files.map((file) => `${file}\0`).join(''), removed)
    return files.map((file, k) => {
      throwIfFailed(removed[3 * k + 2]!, 'unlink', file)
      return {sizeBytes: removed[3 * k]!, allocatedBytes: removed[3 * k + 1]!}
    })
  }

  async readChecked(relativePath: string, target: Uint8Array, expectedCrc: number, priority?: IoPriority): Promise<ShardFault | undefined> {
    return readShardFile(this.resolve(relativePath), target, expectedCrc, priority)
  }

  async readChunks(relativePath: string, target: Uint8Array, offset: number, fileLength: number, sums: Uint8Array, chunkBytes: number, priority?: IoPriority): Promise<ShardFault | undefined> {
    return shardFault(await blocksAddon().readChunks(this.resolve(relativePath), target, offset, fileLength, sums, chunkBytes, priority === 'idle'))
  }

  async writeNew(relativePath: string, bytes: Uint8Array, sync: boolean, priority?: IoPriority): Promise<void> {
    const file = this.resolve(relativePath)
    await this.ensureDir(path.dirname(file))
    await writeNewFile(file, bytes, sync, priority)
    if (sync) await syncPath(path.dirname(file), priority)
  }

  async replace(relativePath: string, bytes: Uint8Array, priority?: IoPriority): Promise<void> {
    const file = this.resolve(relativePath)
    await this.ensureDir(path.dirname(file))
    await replaceFile(file, bytes, priority)
  }

  async makeDurable(relativePaths: readonly string[], priority?: IoPriority): Promise<void> {
    if (relativePaths.length >= SYNCFS_FROM_FILES) return syncFilesystem(this.dir, priority)
    const files = relativePaths.map((relative) => this.resolve(relative))
    await Promise.all(files.map((file) => syncPath(file, priority)))
    await Promise.all([...new Set(files.map((file) => path.dirname(file)))].map((dir) => syncPath(dir, priority)))
  }

  async listDataFiles(): Promise<string[]> {
    return listDataFiles(this.dir)
  }

  async readIdentity(): Promise<DriveIdentity | undefined> {
    return readDriveIdentity(this.dir)
  }

  async writeIdentity(identity: DriveIdentity): Promise<void> {
    await writeDriveIdentity(this.dir, identity)
  }

  private async ensureDir(dir: string): Promise<void> {
    if (!this.knownDirs.has(dir)) await this.makingDirs.run(dir, async () => this.makeDir(dir))
  }

  private async makeDir(dir: string): Promise<void> {
    const created = await fs.mkdir(dir, {recursive: true, mode: PRIVATE_DIR_MODE})
    if (created !== undefined) {
      // Every directory from `created` down to `dir` is new: each one's parent must be fsynced so
      // the new fan-out directories survive a crash along with the files put in them.
      for (let parent = path.dirname(dir); ; parent = path.dirname(parent)) {
        await syncPath(parent)
        if (parent === path.dirname(created)) break
      }
    }
    this.knownDirs.add(dir)
  }
}
