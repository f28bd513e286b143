import {Packr} from 'msgpackr'
import {crc32c} from '../blocks/checksum.js'
import {FIRST_SNAPSHOT_FORMAT_VERSION, FORMAT_VERSION, SNAPSHOT_MAGIC, SNAPSHOT_ROWS_PER_FRAME} from '../format/constants.js'
import {DUMPED_TABLES, type DumpedTable, type StoreDump, type TableRows} from '../meta/metaStore.js'

/**
 * A metadata snapshot file (docs/FORMAT.md, "Metadata snapshots"): the magic, then frames, each
 * `u32 length, u32 CRC32C of the payload, payload` (little-endian), each payload one msgpack
 * value. Frame 0 is the header; then the superblock; then each table's rows, SNAPSHOT_ROWS_PER_FRAME
 * to a frame. The header counts the frames and rows, so a file cut short is known as such, and
 * carries the CRC32C of every other payload in order (`contentCrc`): two snapshots of one store
 * state have the same, whenever they were written.
 *
 * msgpack because the store's own values are msgpack (lmdb-js encodes them with msgpackr): a row
 * is written as the store holds it, binary values (xattrs, chunk checksums) as bytes.
 */

export interface SnapshotHeader {
  /** The store format of the rows (FORMAT_VERSION of the shmr that wrote them). */
  readonly formatVersion: number
  readonly uuid: string
  /** Counts up across the drives of a filesystem: of two snapshots, the higher seq is newer. */
  readonly seq: number
  /** ISO 8601. */
  readonly createdAt: string
  readonly frames: number
  readonly rows: number
  readonly contentCrc: number
}

export interface Snapshot {
  readonly header: SnapshotHeader
  readonly dump: StoreDump
}

interface RowsFrame {
  readonly table: DumpedTable
  readonly rows: TableRows
}

const FRAME_HEAD_BYTES = 8
const MAGIC = Buffer.from(SNAPSHOT_MAGIC, 'latin1')
// Plain msgpack (no shared structures, no records extension): any msgpack reader can read it.
const packr = new Packr({useRecords: false, moreTypes: false, mapsAsObjects: true})

/** A store's content packed once: its checksum (is the drive's newest snapshot still true?) and its bytes under any number. */
export interface PackedSnapshot {
  readonly contentCrc: number
  /** The file's bytes, numbered `seq`. */
  encode(seq: number, createdAt: string): Buffer
}

export function packSnapshot(dump: StoreDump): PackedSnapshot {
  const payloads = [packr.pack(dump.superblock)]
  for (const table of DUMPED_TABLES) {
    const rows = dump.tables[table]
    for (let start = 0; start < rows.length; start += SNAPSHOT_ROWS_PER_FRAME) {
      payloads.push(packr.pack({table, rows: rows.slice(start, start + SNAPSHOT_ROWS_PER_FRAME)} satisfies RowsFrame))
    }
  }
  const contentCrc = contentCrcOf(payloads)
  const rows = DUMPED_TABLES.reduce((sum, table) => sum + dump.tables[table].length, 0)
  return {
    contentCrc,
    encode: (seq, createdAt) => {
      const header: SnapshotHeader = {
        formatVersion: dump.superblock.formatVersion, uuid: dump.superblock.uuid, seq, createdAt, frames: payloads.length + 1, rows, contentCrc,
      }
      return Buffer.concat([MAGIC, ...[packr.pack(header), ...payloads].flatMap(frame)])
    },
  }
}

function contentCrcOf(payloads: readonly Uint8Array[]): number {
  let crc = 0
  for (const payload of payloads) crc = crc32c(payload, crc)
  return crc
}

function frame(payload: Uint8Array): Buffer[] {
  const head = Buffer.alloc(FRAME_HEAD_BYTES)
  head.writeUInt32LE(payload.length, 0)
  head.writeUInt32LE(crc32c(payload), 4)
  return [head, Buffer.from(payload.buffer, payload.byteOffset, payload.length)]
}

/** Why bytes are not a whole, good snapshot. */
export class BadSnapshot extends Error {}

/** The header alone (the first frame): enough to order snapshots and tell an unchanged one. */
export function decodeSnapshotHeader(bytes: Buffer): SnapshotHeader {
  if (bytes.length < MAGIC.length || !bytes.subarray(0, MAGIC.length).equals(MAGIC)) throw new BadSnapshot('not a shmr metadata snapshot')
  const {payload} = readFrame(bytes, MAGIC.length)
  const header = unpack(payload) as SnapshotHeader
  if (typeof header?.seq !== 'number' || typeof header.uuid !== 'string' || typeof header.formatVersion !== 'number') {
    throw new BadSnapshot('its header lacks fields')
  }
  if (header.formatVersion < FIRST_SNAPSHOT_FORMAT_VERSION || header.formatVersion > FORMAT_VERSION) {
    throw new BadSnapshot(`it is of format ${header.formatVersion}; this shmr reads snapshots of formats ${FIRST_SNAPSHOT_FORMAT_VERSION} to ${FORMAT_VERSION}`)
  }
  return header
}

/** A whole snapshot, every frame checked against its checksum and the header's counts. */
export function decodeSnapshot(bytes: Buffer): Snapshot {
  const header = decodeSnapshotHeader(bytes)
  let offset = MAGIC.length
  const payloads: Buffer[] = []
  while (offset < bytes.length) {
    const next = readFrame(bytes, offset)
    payloads.push(next.payload)
    offset = next.end
  }
  if (payloads.length !== header.frames) throw new BadSnapshot(`it has ${payloads.length} of its ${header.frames} frames (cut short?)`)
  if (contentCrcOf(payloads.slice(1)) !== header.contentCrc) throw new BadSnapshot('its content checksum does not match its header')
  const superblock = unpack(payloads[1]!) as StoreDump['superblock']
  const tables = Object.fromEntries(DUMPED_TABLES.map((table) => [table, [] as TableRows])) as Record<DumpedTable, TableRows>
  let rows = 0
  for (const payload of payloads.slice(2)) {
    const rowsFrame = unpack(payload) as RowsFrame
    const into = tables[rowsFrame.table]
    if (!into || !Array.isArray(rowsFrame.rows)) throw new BadSnapshot(`a frame holds rows of an unknown table ${String(rowsFrame.table)}`)
    for (const row of rowsFrame.rows) into.push(row)
    rows += rowsFrame.rows.length
  }
  if (rows !== header.rows) throw new BadSnapshot(`it holds ${rows} rows, its header says ${header.rows}`)
  if (superblock?.uuid !== header.uuid) throw new BadSnapshot('its superblock is of another filesystem than its header')
  return {header, dump: {superblock, tables}}
}

/** msgpack that passed its checksum but does not parse is still a bad snapshot, not a crash. */
function unpack(payload: Buffer): unknown {
  try {
    return packr.unpack(payload)
  } catch (error) {
    throw new BadSnapshot(`a frame does not parse: ${(error as Error).message}`)
  }
}

function readFrame(bytes: Buffer, offset: number): {payload: Buffer; end: number} {
  if (offset + FRAME_HEAD_BYTES > bytes.length) throw new BadSnapshot(`it ends inside a frame header at byte ${offset} (cut short?)`)
  const length = bytes.readUInt32LE(offset)
  const end = offset + FRAME_HEAD_BYTES + length
  if (end > bytes.length) throw new BadSnapshot(`a frame at byte ${offset} runs past the end (cut short?)`)
  const payload = bytes.subarray(offset + FRAME_HEAD_BYTES, end)
  if (crc32c(payload) !== bytes.readUInt32LE(offset + 4)) throw new BadSnapshot(`the frame at byte ${offset} fails its checksum`)
  return {payload, end}
}
