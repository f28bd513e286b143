import fs from 'node:fs'
import path from 'node:path'
import {ShmrError, systemErrorCode} from '../errors.js'
import {BYTE_NAME_ENCODING} from '../format/byteNames.js'
import {nanosPast, toTimespec} from '../format/exactTimes.js'
import {ROOT_INODE} from '../format/constants.js'
import type {Inode} from '../meta/records.js'
import {blocksAddon} from '../native/blocksAddon.js'
import {syncFilesystem} from '../pools/durableFile.js'
import {listSnapshots, newestGoodSnapshot, type RejectedSnapshot} from '../recovery/driveSnapshots.js'
import {bucketShelf} from '../recovery/bucketSnapshots.js'
import {bucketDrivesOf, isBucketUrl} from './scanBuckets.js'
import type {ObjectStoreConfig} from '../config/types.js'
import {SnapshotTree} from '../recovery/snapshotTree.js'
import type {FoundBlock, FoundFile} from './catalog.js'
import {decodeFile} from './decodeFile.js'
import {fileOutput} from './decodeOutput.js'
import {listShardFiles} from './runDecode.js'

/** Files decoded at once: enough to keep the thread pool busy with small files, few enough that big ones do not crowd memory. */
const FILES_IN_FLIGHT = 8

export interface TreeOptions {
  /** Drive directories, and s3://BUCKET/PREFIX drives of `store`: each one's metadata snapshots and (searched recursively) shard files. */
  readonly dirs: readonly string[]
  readonly store?: ObjectStoreConfig
  /** Where the tree goes: a new or empty directory. */
  readonly outDir: string
  readonly onStart?: (totalBytes: number) => void
  readonly onBytes?: (bytes: number) => void
}

export interface TreeReport {
  readonly outDir: string
  readonly snapshot: {readonly seq: number; readonly createdAt: string; readonly file: string}
  readonly rejectedSnapshots: readonly RejectedSnapshot[]
  readonly written: {readonly files: number; readonly dirs: number; readonly symlinks: number; readonly other: number; readonly hardLinks: number; readonly bytes: number}
  /** Paths not written, and why (a block no shard of which is here, one damaged past parity). */
  readonly notRebuilt: ReadonlyArray<{readonly path: string; readonly reason: string}>
  /** Attributes that could not be set (an owner, as another user than root), by path. */
  readonly attributesNotSet: ReadonlyArray<{readonly path: string; readonly what: string}>
  readonly seconds: number
}

/**
 * `shmr decode --tree`: the newest good metadata snapshot on the drives, and the shard files
 * beside it, give back the whole tree under OUTDIR with no config and no metadata store: every
 * file it can rebuild under each of its paths (hard links as links), directories, symlinks,
 * FIFOs, sockets and device nodes, with owner (as root), mode, times to the nanosecond and
 * xattrs. Each block is the generation the snapshot recorded where its shards are here (else
 * the newest found: written after the snapshot). A file that cannot be rebuilt is reported and
 * left out; the rest goes on.
 */
export async function decodeTree(options: TreeOptions): Promise<TreeReport> {
  const startedMs = Date.now()
  const outDir = path.resolve(options.outDir)
  for (const dir of options.dirs.filter((source) => !isBucketUrl(source))) {
    if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new ShmrError('BAD_ARGUMENT', `${dir} is not a directory`, {hint: 'give the drive directories'})
  }
  const buckets = bucketDrivesOf(options.dirs.filter(isBucketUrl), options.store)
  prepareOutDir(outDir)
  const files = (await Promise.all([
    ...options.dirs.filter((source) => !isBucketUrl(source)).map((dir) => listSnapshots(dir)),
    ...buckets.map((drive) => bucketShelf(drive).list().catch(() => [])),
  ])).flat()
  const newest = await newestGoodSnapshot(files)
  if (!('snapshot' in newest)) {
    throw new ShmrError('NOT_FOUND', files.length === 0 ? `no metadata snapshot in ${options.dirs.join(', ')} (looked in each one's shmr-meta directory)` : `none of the ${files.length} metadata snapshot(s) here is good`, {
      details: newest.rejected.map(({file, reason}) => `${file}: ${reason}`),
      hint: 'give the drive directories themselves; without a snapshot, `shmr decode --list` and `--file ID` rebuild files by number',
    })
  }
  const tree = new SnapshotTree(newest.snapshot.dump)
  const found = new Map((await listShardFiles(options.dirs, options.store).catch(() => [] as FoundFile[])).map((file) => [file.fileId, file]))
  const writer = new TreeWriter(outDir)
  const total = [...tree.inodes.values()].reduce((sum, inode) => sum + (inode.kind === 'file' && tree.paths.has(inode.ino) ? inode.storedBytes ?? inode.sizeBytes : 0), 0)
  options.onStart?.(total)
  const directories: Inode[] = []
  // Directories first, parents before children (paths are known breadth-first), private until their own mode is set last.
  for (const [ino, paths] of tree.paths) {
    const inode = tree.inodes.get(ino)
    if (inode?.kind !== 'dir') continue
    if (ino !== ROOT_INODE) writer.makeDir(paths[0]!)
    directories.push(inode)
  }
  const entries = [...tree.paths].filter(([ino]) => tree.inodes.get(ino)?.kind !== 'dir')
  const restoreEntry = async ([ino, paths]: [number, string[]]): Promise<void> => {
    const inode = tree.inodes.get(ino)
    if (!inode) return
    if (inode.kind === 'file') {
      const problem = await writer.writeFile(inode, paths[0]!, chooseBlocks(tree, inode, found.get(ino)), options.onBytes)
      if (problem) {
        for (const where of paths) writer.notRebuilt.push({path: where, reason: problem})
        return
      }
    } else writer.makeOther(inode, paths[0]!)
    writer.setAttributes(inode, paths[0]!, tree.xattrs.get(ino) ?? [])
    for (const other of paths.slice(1)) writer.link(paths[0]!, other)
  }
  // Several files in flight: a small file is a few round trips to the thread pool, each waited for in turn.
  let next = 0
  await Promise.all(Array.from({length: FILES_IN_FLIGHT}, async () => {
    while (next < entries.length) await restoreEntry(entries[next++]!)
  }))
  // Deepest first: setting a directory's times after its entries are in place keeps them.
  for (const inode of directories.reverse()) writer.setAttributes(inode, tree.pathOf(inode.ino), tree.xattrs.get(inode.ino) ?? [])
  // Every file was written without its own fsync: one syncfs makes the whole tree durable.
  await syncFilesystem(outDir)
  return {
    outDir, snapshot: {seq: newest.snapshot.header.seq, createdAt: newest.snapshot.header.createdAt, file: newest.file},
    rejectedSnapshots: newest.rejected, written: writer.written, notRebuilt: writer.notRebuilt, attributesNotSet: writer.attributesNotSet,
    seconds: (Date.now() - startedMs) / 1000,
  }
}

/** OUTDIR may be new (its parent must exist) or empty: decode never writes over anything. */
function prepareOutDir(outDir: string): void {
  if (fs.existsSync(outDir)) {
    if (!fs.statSync(outDir).isDirectory()) throw new ShmrError('NOT_DIR', `${outDir} is not a directory`, {hint: 'name a new or empty directory for the tree'})
    if (fs.readdirSync(outDir).length > 0) throw new ShmrError('NOT_EMPTY', `${outDir} is not empty`, {hint: 'name a new or empty directory: decode --tree never writes over files'})
    return
  }
  if (!fs.existsSync(path.dirname(outDir))) throw new ShmrError('NOT_FOUND', `directory ${path.dirname(outDir)} does not exist`, {hint: `create it first (mkdir -p ${path.dirname(outDir)})`})
  fs.mkdirSync(outDir, {mode: 0o700})
}

/**
 * The blocks to decode a file from: for each block the snapshot records, the generation it
 * recorded when shards of it are here, else the newest found. A string says why the file cannot
 * be rebuilt.
 */
function chooseBlocks(tree: SnapshotTree, inode: Inode, found: FoundFile | undefined): FoundFile | string {
  const recorded = tree.blocks.get(inode.ino) ?? []
  const empty: FoundFile = {fileId: inode.ino, blockSizeBytes: inode.blockSizeBytes ?? 0, blocks: [], sizeBytes: inode.sizeBytes, topologies: [], health: 'complete', setAside: []}
  if (recorded.length === 0) return empty
  if (!found) return `none of its ${recorded.length} block(s) has a shard here`
  if (found.blockSizeBytes !== recorded[0]!.record.blockSizeBytes) return `its shards here are of block size ${found.blockSizeBytes}, the snapshot's of ${recorded[0]!.record.blockSizeBytes}`
  const blocks: FoundBlock[] = []
  for (const {index, record} of recorded) {
    const newestFound = found.blocks.find((block) => block.index === index)
    if (!newestFound) return `block ${index} has no shard here`
    let chosen: FoundBlock | undefined = newestFound
    while (chosen && chosen.generation !== record.generation) chosen = chosen.older
    blocks.push(chosen ?? newestFound)
  }
  return {...found, blocks, sizeBytes: inode.sizeBytes}
}

/** Writes the tree's entries under OUTDIR: paths are byte names, joined as bytes. */
class TreeWriter {
  readonly written = {files: 0, dirs: 0, symlinks: 0, other: 0, hardLinks: 0, bytes: 0}
  readonly notRebuilt: Array<{path: string; reason: string}> = []
  readonly attributesNotSet: Array<{path: string; what: string}> = []
  private readonly isRoot = process.getuid?.() === 0

  constructor(private readonly outDir: string) {}

  private bytesOf(treePath: string): Buffer {
    return treePath === '/' ? Buffer.from(this.outDir) : Buffer.concat([Buffer.from(this.outDir), Buffer.from(treePath, BYTE_NAME_ENCODING)])
  }

  makeDir(treePath: string): void {
    fs.mkdirSync(this.bytesOf(treePath), {mode: 0o700})
    this.written.dirs++
  }

  async writeFile(inode: Inode, treePath: string, blocks: FoundFile | string, onBytes: ((bytes: number) => void) | undefined): Promise<string | undefined> {
    if (typeof blocks === 'string') return blocks
    // Decoded under a plain name, then renamed to its own: a name that is not UTF-8 is bytes only here.
    const temp = path.join(this.outDir, `.shmr-decode-${inode.ino}`)
    try {
      const output = await fileOutput(temp, {sync: false})
      const report = await decodeFile(blocks, output, {partial: false, onBytes})
      fs.renameSync(temp, this.bytesOf(treePath))
      this.written.files++
      this.written.bytes += report.sizeBytes
      return undefined
    } catch (error) {
      fs.rmSync(temp, {force: true})
      return (error as Error).message
    }
  }

  makeOther(inode: Inode, treePath: string): void {
    const target = this.bytesOf(treePath)
    if (inode.kind === 'symlink') {
      fs.symlinkSync(Buffer.from(inode.target ?? '', BYTE_NAME_ENCODING), target)
      this.written.symlinks++
      return
    }
    const status = blocksAddon().makeNodeSync(target, inode.mode, inode.rdev ?? 0)
    if (status !== 0) {
      this.notRebuilt.push({path: treePath, reason: `mknod failed (errno ${status}${status === 1 ? ': device nodes need root' : ''})`})
      return
    }
    this.written.other++
  }

  link(existing: string, treePath: string): void {
    fs.linkSync(this.bytesOf(existing), this.bytesOf(treePath))
    this.written.hardLinks++
  }

  /** Owner (as root), mode (not of a symlink), xattrs, then times, last: each of the others changes ctime, not these. */
  setAttributes(inode: Inode, treePath: string, xattrs: ReadonlyArray<{name: string; value: Buffer}>): void {
    const target = this.bytesOf(treePath)
    if (!fs.lstatSync(target, {throwIfNoEntry: false})) return
    const attempt = (what: string, work: () => void): void => {
      try {
        work()
      } catch (error) {
        this.attributesNotSet.push({path: treePath, what: `${what}: ${systemErrorCode(error) ?? (error as Error).message}`})
      }
    }
    if (this.isRoot) attempt('owner', () => fs.lchownSync(target, inode.uid, inode.gid))
    if (inode.kind !== 'symlink') attempt('mode', () => fs.chmodSync(target, inode.mode & 0o7777))
    for (const {name, value} of xattrs) {
      const status = blocksAddon().setXattrSync(target, Buffer.from(name, BYTE_NAME_ENCODING), value)
      if (status !== 0) this.attributesNotSet.push({path: treePath, what: `xattr ${name} (errno ${status})`})
    }
    const atime = toTimespec(inode.atimeMs, nanosPast(inode.atimeMs, inode.atimeNs))
    const mtime = toTimespec(inode.mtimeMs, nanosPast(inode.mtimeMs, inode.mtimeNs))
    const status = blocksAddon().setTimesSync(target, atime.seconds, atime.nanoseconds, mtime.seconds, mtime.nanoseconds)
    if (status !== 0) this.attributesNotSet.push({path: treePath, what: `times (errno ${status})`})
  }
}
