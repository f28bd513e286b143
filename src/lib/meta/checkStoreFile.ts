import fs from 'node:fs'
import {ShmrError} from '../errors.js'

/**
 * The layout of an LMDB data file's first two pages (the meta pages), as built by lmdb-js's LMDB:
 * a page header of 24 bytes (page number, txnid, pad, flags, lower/upper), then MDB_meta: magic,
 * version, fixed-map address, map size, the free and main databases' MDB_db (48 bytes each: the
 * free one's first field is the page size), last page, txnid.
 */
const META = {
  pageHeaderBytes: 24, magicAt: 24, versionAt: 28, pageSizeAt: 48, freeRootAt: 88, mainRootAt: 136, txnidAt: 152,
  magic: 0xbeefc0de, version: 2, emptyRoot: 0xffffffffffffffffn,
} as const
const MIN_PAGE_BYTES = 512
const MAX_PAGE_BYTES = 65536

interface MetaPage {
  readonly pageBytes: number
  readonly roots: readonly bigint[]
  readonly txnid: bigint
}

/**
 * Checks the metadata store's file before LMDB maps it: LMDB trusts its meta pages and maps the
 * file whole, so a zeroed meta page or a file cut short ended `mount` and `verify` in SIGSEGV or
 * SIGBUS with no message. Both meta pages must be LMDB's, and the pages the newest one roots its
 * trees in must lie inside the file. Throws CORRUPT naming the directory and what to do.
 */
export function checkStoreFile(file: string, dir: string): void {
  const damaged = (what: string): ShmrError => new ShmrError('CORRUPT', `the metadata store in ${dir} is damaged: ${what}`, {
    hint: 'restore the metadata directory from a backup; meanwhile `shmr decode` rebuilds files from the drives\' shard files alone',
  })
  const sizeBytes = fs.statSync(file).size
  if (sizeBytes === 0) return
  const head = Buffer.alloc(2 * MAX_PAGE_BYTES)
  const fd = fs.openSync(file, 'r')
  try {
    fs.readSync(fd, head, 0, head.length, 0)
  } finally {
    fs.closeSync(fd)
  }
  const first = readMeta(head, 0)
  if (!first) throw damaged(`${file} does not start with an LMDB meta page (zeroed or overwritten)`)
  if (sizeBytes < 2 * first.pageBytes) throw damaged(`${file} is ${sizeBytes} bytes, shorter than its two meta pages`)
  const second = readMeta(head, first.pageBytes)
  if (!second || second.pageBytes !== first.pageBytes) throw damaged(`the second meta page of ${file} is not LMDB's (zeroed or overwritten)`)
  const newest = second.txnid > first.txnid ? second : first
  const pages = BigInt(Math.floor(sizeBytes / first.pageBytes))
  for (const root of newest.roots) {
    if (root !== META.emptyRoot && root >= pages) throw damaged(`${file} is cut short: ${sizeBytes} bytes, but its trees start at page ${root}`)
  }
}

function readMeta(head: Buffer, offset: number): MetaPage | undefined {
  if (offset + META.txnidAt + 8 > head.length) return undefined
  if (head.readUInt32LE(offset + META.magicAt) !== META.magic || (head.readUInt32LE(offset + META.versionAt) & 0xffff) !== META.version) return undefined
  const pageBytes = head.readUInt32LE(offset + META.pageSizeAt)
  if (pageBytes < MIN_PAGE_BYTES || pageBytes > MAX_PAGE_BYTES || (pageBytes & (pageBytes - 1)) !== 0) return undefined
  return {
    pageBytes, roots: [head.readBigUInt64LE(offset + META.freeRootAt), head.readBigUInt64LE(offset + META.mainRootAt)],
    txnid: head.readBigUInt64LE(offset + META.txnidAt),
  }
}
