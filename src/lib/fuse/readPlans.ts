import {CHUNK_BYTES} from '../format/constants.js'
import type {StoredBlock, StoredLayout} from '../fs/storedLayout.js'
import type {Metrics, Served} from '../metrics/metrics.js'
import type {Drive} from '../pools/drive.js'
import type {FuseAddon} from './fuseAddon.js'

/** A block's kind in a read plan, as native/fuse/directReads.c reads it. */
const BLOCK_HOLE = 0
const BLOCK_FILES = 1
const BLOCK_ELSEWHERE = 2
/** The binding counts bytes read for drive ids below this (directReads.c MAX_DRIVE_ID); files on others are left to this thread. */
const MAX_DRIVE_ID = 4096

type PlanAddon = Pick<FuseAddon, 'setReadPlan' | 'dropReadPlan' | 'directReadCounts' | 'directReadDriveBytes'>

/** A block as the plan gives it: its files, or why there are none to read. */
function planned(block: StoredBlock): StoredBlock {
  return typeof block !== 'string' && block.files.some((file) => file.drive >= MAX_DRIVE_ID) ? 'elsewhere' : block
}

/**
 * A file's stored layout as the binding's own reads take it (native/fuse/directReads.c, "The
 * plan"). Little-endian. Header: u32 block count, u32 chunk bytes, f64 file size, f64 block
 * bytes. Each block: u32 kind, u32 file count, f64 stored bytes, f64 bytes per file; then each
 * file: u32 path bytes (with its NUL, padded to 4), u32 chunk count, u32 drive id, the path, the
 * chunk sums.
 */
export function encodeReadPlan(layout: StoredLayout): Buffer {
  const blocks = layout.blocks.map(planned)
  const paths = blocks.map((block) => (typeof block === 'string' ? [] : block.files.map((file) => Buffer.from(`${file.path}\0`))))
  let bytes = 24
  blocks.forEach((block, i) => {
    bytes += 24
    if (typeof block !== 'string') block.files.forEach((file, k) => { bytes += 12 + padded(paths[i]![k]!.length) + file.chunkSums.length })
  })
  const plan = Buffer.alloc(bytes)
  let at = plan.writeUInt32LE(blocks.length, 0)
  at = plan.writeUInt32LE(CHUNK_BYTES, at)
  at = plan.writeDoubleLE(layout.sizeBytes, at)
  at = plan.writeDoubleLE(layout.blockSizeBytes, at)
  blocks.forEach((block, i) => {
    const files = typeof block === 'string' ? [] : block.files
    at = plan.writeUInt32LE(block === 'hole' ? BLOCK_HOLE : block === 'elsewhere' ? BLOCK_ELSEWHERE : BLOCK_FILES, at)
    at = plan.writeUInt32LE(files.length, at)
    at = plan.writeDoubleLE(typeof block === 'string' ? 0 : block.lengthBytes, at)
    at = plan.writeDoubleLE(typeof block === 'string' ? 0 : block.fileBytes, at)
    files.forEach((file, k) => {
      const path = paths[i]![k]!
      at = plan.writeUInt32LE(padded(path.length), at)
      at = plan.writeUInt32LE(file.chunkSums.length / 4, at)
      at = plan.writeUInt32LE(file.drive, at)
      path.copy(plan, at)
      at += padded(path.length)
      plan.set(file.chunkSums, at)
      at += file.chunkSums.length
    })
  })
  return plan
}

function padded(length: number): number {
  return Math.ceil(length / 4) * 4
}

/**
 * The read plans the binding holds: an open file's stored layout, given at its open, so that the
 * binding reads it on threads of its own with no round trip through this thread (see
 * native/fuse/directReads.c for which reads). A plan is dropped before any change to its file's
 * bytes or size takes effect (FileData's onDataChange), and at the file's last close.
 */
export class ReadPlans {
  private readonly planned = new Set<number>()
  private addon: PlanAddon | undefined
  private counted = {reads: 0, bytes: 0, cached: 0}
  private readonly countedByDrive = new Map<number, number>()

  /** The counts start from what the addon counted before (an earlier mount in this process). */
  attach(addon: PlanAddon): void {
    this.addon = addon
    const [reads, bytes, cached] = addon.directReadCounts()
    this.counted = {reads, bytes, cached}
    const byDrive = addon.directReadDriveBytes()
    for (let i = 0; i + 1 < byDrive.length; i += 2) this.countedByDrive.set(byDrive[i]!, byDrive[i + 1]!)
  }

  /** A file opened for reading: the binding gets its layout, unless it has it or there is none to give. */
  opened(ino: number, layout: () => StoredLayout | undefined): void {
    if (!this.addon || this.planned.has(ino)) return
    const stored = layout()
    if (!stored) return
    this.addon.setReadPlan(ino, encodeReadPlan(stored))
    this.planned.add(ino)
  }

  /** The file's bytes or size are about to change, or its last handle closed: its plan goes. */
  drop(ino: number): void {
    if (!this.planned.delete(ino)) return
    this.addon?.dropReadPlan(ino)
  }

  /** What the binding read on its own since the last tally. */
  untallied(): Served {
    if (!this.addon) return {bytes: 0, requests: 0}
    const [reads, bytes] = this.addon.directReadCounts()
    return {bytes: bytes! - this.counted.bytes, requests: reads! - this.counted.reads}
  }

  /** Adds the binding's own reads since the last call to the mount's metrics. */
  tally(metrics: Metrics, driveOf: (id: number) => Drive | undefined): void {
    if (!this.addon) return
    const [reads, bytes, cached] = this.addon.directReadCounts()
    metrics.directReads(reads - this.counted.reads, bytes - this.counted.bytes, cached - this.counted.cached)
    this.counted = {reads, bytes, cached}
    const byDrive = this.addon.directReadDriveBytes()
    for (let i = 0; i + 1 < byDrive.length; i += 2) {
      const [id, total] = [byDrive[i]!, byDrive[i + 1]!]
      const drive = driveOf(id)
      if (drive) metrics.driveIo('read', drive.poolName, drive.name, total - (this.countedByDrive.get(id) ?? 0))
      this.countedByDrive.set(id, total)
    }
  }
}
