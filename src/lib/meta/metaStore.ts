import fs from 'node:fs'
import path from 'node:path'
import {open, type DatabaseOptions, type Key, type RootDatabase} from 'lmdb'
import {isShmrError, ShmrError, systemErrorCode} from '../errors.js'
import {FORMAT_VERSION, OLDEST_SUPPORTED_FORMAT_VERSION, PRIVATE_FILE_MODE} from '../format/constants.js'
import {BlockMapTable} from './blockMaps.js'
import {CounterTable} from './counters.js'
import {DirentTable} from './dirents.js'
import {InodeTable} from './inodes.js'
import {MIGRATIONS} from './migrations.js'
import {explainCommitFailure, guardCommitFailures} from './commitFailure.js'
import {checkStoreFile} from './checkStoreFile.js'
import type {DriveEntry, Orphan, Superblock, Tombstone} from './records.js'
import {StagedTable} from './staged.js'
import {Table} from './table.js'
import {TombstoneTable} from './tombstones.js'
import {WriteBehind} from './writeBehind.js'
import {XattrTable} from './xattrs.js'

/** The LMDB data file inside the metadata directory (LMDB adds `shmr.mdb-lock` beside it). */
export const META_FILE = 'shmr.mdb'
const SUPERBLOCK_KEY = 'superblock'
const CLOSE_AFTER_FAILURE_MS = 5000

/**
 * The tables a metadata snapshot holds (recovery/snapshotFile.ts): everything but tombstones and
 * staged blocks, which name files no record points at (any more, or yet): after a recovery those
 * are files nothing references, and `gc` and `shift` find such files without them.
 */
export const DUMPED_TABLES = ['inodes', 'dirents', 'xattrs', 'blockMaps', 'counters', 'orphans'] as const
export type DumpedTable = (typeof DUMPED_TABLES)[number]
export type TableRows = Array<{key: Key; value: unknown}>

/** A store's content as a snapshot holds it. */
export interface StoreDump {
  readonly superblock: Superblock
  readonly tables: Readonly<Record<DumpedTable, TableRows>>
}

/**
 * A table's values are plain msgpack maps (format 7). lmdb-js's default, msgpackr records without
 * shared structures, wrote every value with its record's definition (its key names) and parsed
 * that definition again at every read: an inode decoded in 1.6 us against 0.7 as a map, a block
 * record 1.4 against 0.5, and record definitions were 7% of the server's time in an `rm -rf`. A
 * map is as long (its keys are the same names). msgpackr reads records of older formats either
 * way. The superblock keeps lmdb-js's default: an older shmr must read its formatVersion to
 * refuse the store. (lmdb-js hands msgpackr's options through openDB; its types leave them out.)
 */
const tableOptions = (name: string): DatabaseOptions & {name: string; readonly useRecords: false} => ({name, useRecords: false})

export interface OpenOptions {
  /** Open without write access (inspect while mounted). */
  readOnly?: boolean
}

/**
 * The metadata store: one LMDB environment with a named database per record type. Every
 * mutation runs in `transaction`, which resolves once the commit is durable on disk.
 */
export class MetaStore {
  readonly inodes: InodeTable
  readonly dirents: DirentTable
  readonly blockMaps: BlockMapTable
  readonly tombstones: TombstoneTable
  readonly counters: CounterTable
  readonly xattrs: XattrTable
  /** Inodes with no links left but open when last seen (ino → since ms); reclaimed at the next mount. */
  readonly orphans: Table<number, Orphan>
  readonly staged: StagedTable
  private readonly superDb
  /** A commit failed since the store was opened (see close). */
  private commitFailed = false
  /**
   * Told of the tombstones each transaction buried, once its commit is durable: from then on no
   * crash can bring back a record pointing at their files (the mount deletes them at once).
   */
  onBuried: ((tombstones: readonly Tombstone[]) => void) | undefined
  /** Told, at close, of how many transactions' writes could not be committed (the metadata disk stayed full). */
  onAbandoned: ((transactions: number) => void) | undefined
  /** The mount's writes behind its answers (see deferWrites); undefined: each transaction commits before it resolves. */
  private writeBehind: WriteBehind | undefined

  private constructor(private readonly env: RootDatabase, readonly dir: string, readonly readOnly: boolean) {
    this.superDb = env.openDB<Superblock, string>({name: 'superblock'})
    this.inodes = new InodeTable(env.openDB(tableOptions('inodes')))
    this.dirents = new DirentTable(env.openDB(tableOptions('dirents')))
    this.blockMaps = new BlockMapTable(env.openDB(tableOptions('blockMaps')))
    this.tombstones = new TombstoneTable(env.openDB(tableOptions('tombstones')))
    this.counters = new CounterTable(env.openDB(tableOptions('counters')))
    this.xattrs = new XattrTable(env.openDB({name: 'xattrs', encoding: 'binary'}))
    this.orphans = new Table(env.openDB(tableOptions('orphans')))
    this.staged = new StagedTable(env.openDB(tableOptions('staged')))
  }

  /**
   * Reads every record of every table: how many, and the first table that could not be read, with
   * why (LMDB's read transaction is unusable after such an error, so the walk stops there). For
   * the store probe (storeProbe.ts).
   */
  readEvery(): {records: number; unreadable: string[]} {
    let records = 0
    const unreadable: string[] = []
    for (const [name, table] of Object.entries(this.tables())) {
      try {
        records += table.readEvery()
      } catch (error) {
        unreadable.push(`${name}: ${(error as Error).message.split('\n')[0]}`)
        break
      }
    }
    return {records, unreadable}
  }

  /**
   * Every row of the dumped tables, with the superblock. Synchronous, so every read sees one
   * state of the store: lmdb-js renews its read transaction only between turns of the event loop.
   */
  dump(): StoreDump {
    const tables = this.tables()
    return {
      superblock: this.superblock,
      tables: Object.fromEntries(DUMPED_TABLES.map((name) => [name, tables[name]!.every()])) as Record<DumpedTable, TableRows>,
    }
  }

  /** Creates a new store holding `dump` exactly (`shmr recover`); the caller checks `dir` holds none. */
  static async restore(dir: string, dump: StoreDump): Promise<MetaStore> {
    return MetaStore.create(dir, dump.superblock, (store) => {
      const tables = store.tables()
      for (const name of DUMPED_TABLES) for (const {key, value} of dump.tables[name]) tables[name]!.put(key, value)
    })
  }

  /** Adds a drive to the superblock (`shmr drive add`), durably. */
  async addDrive(entry: DriveEntry): Promise<void> {
    await this.transaction(() => this.superDb.putSync(SUPERBLOCK_KEY, {...this.superblock, drives: [...this.superblock.drives, entry]}), {durable: true})
  }

  /** Takes a drive out of the superblock (`shmr drive remove`), with its tombstones, durably. */
  async removeDrive(id: number): Promise<void> {
    await this.transaction(() => {
      this.superDb.putSync(SUPERBLOCK_KEY, {...this.superblock, drives: this.superblock.drives.filter((drive) => drive.id !== id)})
      for (const tombstone of this.tombstones.all()) if (tombstone.drive === id) this.tombstones.exhume(tombstone.drive, tombstone.path)
    }, {durable: true})
  }

  /** Marks a drive as being drained (no new shards go there) or clears the mark, durably. */
  async setDraining(id: number, draining: boolean): Promise<void> {
    const marked = (entry: DriveEntry): DriveEntry => {
      const {draining: _before, ...rest} = entry
      return draining ? {...rest, draining: true} : rest
    }
    const drives = this.superblock.drives.map((entry) => (entry.id === id ? marked(entry) : entry))
    await this.transaction(() => this.superDb.putSync(SUPERBLOCK_KEY, {...this.superblock, drives}), {durable: true})
  }

  /** Commits the superblock as it is: a write that changes nothing, but takes pages as every write does. */
  async rewriteSuperblock(): Promise<void> {
    await this.transaction(() => this.superDb.putSync(SUPERBLOCK_KEY, this.superblock))
  }

  static exists(dir: string): boolean {
    return fs.existsSync(path.join(dir, META_FILE))
  }

  /** Creates a new store holding `superblock`; `populate` adds the first records in the same transaction. */
  static async create(dir: string, superblock: Superblock, populate: (store: MetaStore) => void): Promise<MetaStore> {
    if (MetaStore.exists(dir)) throw new ShmrError('FS_EXISTS', `a filesystem already exists in ${dir}`)
    const store = new MetaStore(openEnv(dir, false), dir, false)
    await store.transaction(() => {
      store.superDb.putSync(SUPERBLOCK_KEY, superblock)
      populate(store)
    })
    return store
  }

  /** Opens an existing store, migrating an older format forward or refusing a newer one. */
  static async open(dir: string, options: OpenOptions = {}): Promise<MetaStore> {
    if (!MetaStore.exists(dir)) {
      throw new ShmrError('NOT_INITIALISED', `no shmr filesystem in ${dir}`, {hint: 'create one with `shmr init -c CONFIG`'})
    }
    const readOnly = options.readOnly ?? false
    checkStoreFile(path.join(dir, META_FILE), dir)
    const store = new MetaStore(openEnv(dir, readOnly), dir, readOnly)
    try {
      await store.checkFormat()
    } catch (error) {
      await store.close()
      throw error
    }
    return store
  }

  get superblock(): Superblock {
    const superblock = this.superDb.get(SUPERBLOCK_KEY)
    if (!superblock) throw new ShmrError('CORRUPT', `the metadata store in ${this.dir} has no superblock`)
    return superblock
  }

  /**
   * From now on a transaction resolves as soon as its callback has run: its writes wait for a
   * committer (WriteBehind) that commits all that waits in one LMDB transaction, and reads see
   * them meanwhile. It resolves once durable only when it asks ({durable: true}); `durable()`
   * waits for every change so far. For the mount, whose contract is a local filesystem's: fsync
   * (and unmount) waits for the disk, a create or rename does not. Commits land in order, each
   * whole, and lmdb-js's overlapping sync keeps the store whole across a crash: it rolls back to
   * an earlier commit, never to a mix.
   */
  deferWrites(): void {
    if (this.writeBehind) return
    this.writeBehind = new WriteBehind(this.env, (error) => this.explained(error))
    for (const table of Object.values(this.tables())) table.deferTo(this.writeBehind.pending)
  }

  /** Every record table, by name (the superblock aside). */
  private tables(): Record<string, Table<Key, unknown>> {
    return {
      inodes: this.inodes, dirents: this.dirents, blockMaps: this.blockMaps, tombstones: this.tombstones, counters: this.counters,
      xattrs: this.xattrs, orphans: this.orphans, staged: this.staged,
    }
  }

  /**
   * Runs `fn` in one write transaction and resolves with its result once the commit is durable
   * (or at once, see deferWrites). `fn` must be synchronous: reads inside it see the
   * transaction, writes join it, and a throw aborts it whole.
   */
  async transaction<T>(fn: () => T, options: {durable?: boolean} = {}): Promise<T> {
    if (this.readOnly) throw new ShmrError('NOT_PERMITTED', 'the metadata store is open read-only')
    if (this.writeBehind) return this.transactionBehind(fn, options.durable ?? false)
    // A child transaction, not lmdb-js's plain `transaction`: that one keeps the writes a
    // throwing callback made before it threw, breaking all-or-nothing. Concurrent calls still
    // share one batched commit, each child rolled back alone if it throws.
    try {
      let buried: readonly Tombstone[] = []
      const result = (await this.env.childTransaction(() => {
        const recorded = this.tombstones.recording(fn)
        buried = recorded.buried
        return recorded.result
      })) as T
      await this.env.flushed
      if (buried.length > 0) this.onBuried?.(buried)
      return result
    } catch (error) {
      throw await this.explained(error)
    }
  }

  private async transactionBehind<T>(fn: () => T, durable: boolean): Promise<T> {
    const {result: {result, buried}, landed} = this.writeBehind!.run(() => this.tombstones.recording(fn))
    if (buried.length > 0) {
      // Their files may go only once no crash can bring back a record pointing at them: once
      // the commit that buried them is on disk. Not durable(): that has the writes queued after
      // them commit at once too, and an rm -rf would commit for every file it removes.
      void landed.then(() => this.env.flushed).then(() => this.onBuried?.(buried), () => {
        // The files stay, tombstoned: the periodic collection takes them.
      })
    }
    if (durable) await this.durable()
    return result
  }

  /** LMDB transactions the mount's writes behind its answers have committed (see deferWrites). */
  get commitsBehind(): number {
    return this.writeBehind?.commits ?? 0
  }

  /** Resolves once every change so far is committed and durable on disk. */
  async durable(): Promise<void> {
    try {
      await this.writeBehind?.drained()
      await this.env.flushed
    } catch (error) {
      throw await this.explained(error)
    }
  }

  private async explained(error: unknown): Promise<unknown> {
    if (isShmrError(error)) return error
    const explained = await explainCommitFailure(error, this.dir)
    if (explained !== error) this.commitFailed = true
    return explained
  }

  /**
   * Closes the store. After a failed commit lmdb-js's close waits for a flush that never comes
   * (the server hung at its unmount with the metadata disk still full): then it waits at most
   * CLOSE_AFTER_FAILURE_MS. Nothing more is lost by not waiting: changes waiting to be written
   * behind (deferWrites) get as long to commit first, and those that cannot are reported
   * (onAbandoned); every other transaction was durable before it resolved.
   */
  async close(): Promise<void> {
    const abandoned = await this.writeBehind?.close(CLOSE_AFTER_FAILURE_MS)
    if (abandoned) this.onAbandoned?.(abandoned)
    const closed = this.env.close()
    if (!this.commitFailed) return closed
    let timer: NodeJS.Timeout | undefined
    await Promise.race([closed, new Promise((resolve) => { timer = setTimeout(resolve, CLOSE_AFTER_FAILURE_MS) })])
    clearTimeout(timer)
  }

  private async checkFormat(): Promise<void> {
    const version = this.superblock.formatVersion
    if (version > FORMAT_VERSION) {
      throw new ShmrError('FORMAT_TOO_NEW',
        `the filesystem in ${this.dir} has format version ${version}, this shmr reads versions ${OLDEST_SUPPORTED_FORMAT_VERSION} to ${FORMAT_VERSION}`,
        {hint: 'upgrade shmr to open it'})
    }
    if (version < OLDEST_SUPPORTED_FORMAT_VERSION) {
      throw new ShmrError('FORMAT_TOO_OLD',
        `the filesystem in ${this.dir} has format version ${version}, which this shmr can no longer migrate (oldest: ${OLDEST_SUPPORTED_FORMAT_VERSION})`,
        {hint: 'open it once with an older shmr release to migrate it step by step'})
    }
    if (version === FORMAT_VERSION) return
    if (this.readOnly) {
      throw new ShmrError('FORMAT_TOO_OLD', `the filesystem in ${this.dir} has format version ${version} and needs migrating to ${FORMAT_VERSION}`,
        {hint: 'run any shmr command that opens it for writing (e.g. `shmr verify`) while it is not mounted'})
    }
    await this.transaction(() => {
      for (let from = version; from < FORMAT_VERSION; from++) {
        const migrate = MIGRATIONS[from]
        if (!migrate) throw new ShmrError('FORMAT_TOO_OLD', `no migration from format ${from} to ${from + 1}`)
        migrate(this)
      }
      this.superDb.putSync(SUPERBLOCK_KEY, {...this.superblock, formatVersion: FORMAT_VERSION})
    })
  }
}

/**
 * LMDB creates its files 0664 less the umask: made empty first, they keep a private mode. Only a
 * file that does not exist is opened here (closing a descriptor of LMDB's lock file would drop
 * the locks this process holds on it).
 */
function createPrivate(file: string): void {
  try {
    fs.closeSync(fs.openSync(file, 'wx', PRIVATE_FILE_MODE))
  } catch (error) {
    if (systemErrorCode(error) !== 'EEXIST') throw error
  }
}

function openEnv(dir: string, readOnly: boolean): RootDatabase {
  guardCommitFailures()
  try {
    if (!readOnly) for (const file of [META_FILE, `${META_FILE}-lock`]) createPrivate(path.join(dir, file))
    return open({path: path.join(dir, META_FILE), maxDbs: 16, readOnly, compression: false})
  } catch (error) {
    throw new ShmrError('IO', `cannot open the metadata store in ${dir}: ${(error as Error).message}`, {cause: error})
  }
}
