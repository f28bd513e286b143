/**
 * `npm run bench [-- --quick] [-- --json FILE] [-- --only SECTIONS] [-- --source disk] [-- --recover-files N]`: shmr's
 * speed beside the disk under it, mergerfs, and a passthrough filesystem on the same FUSE binding,
 * all measured in this one run on the same disk, taking turns, with the page cache dropped before
 * cold reads. Prints medians (min–max), ratios, and the bench issue's targets against them.
 */
import {spawn, type ChildProcess} from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {execa} from 'execa'
import {defaultMountConfig} from '../src/lib/config/schema.js'
import {formatSize} from '../src/lib/format/size.js'
import {mountsUnder} from '../src/lib/fuse/mountTable.js'
import {LOCK_FILE} from '../src/lib/meta/exclusiveLock.js'
import {haveFio, RANDOM_READ_DEPTHS, randomReadFigure, randomReadSection, type RandomReadSubject} from './randomReads.js'
import {ONLINE_FIGURES, onlineSection} from './online.js'
import {recoverySection} from './recovery.js'
import {objectStoreSection} from './objectStore.js'
import {CREATE_SIZES, createFigure, TREE_STEPS, treeFigure, treeSection} from './tree.js'

const MiB = 1024 * 1024
const args = process.argv.slice(2)
/** A bad flag: one line saying so, and exit status 2, before anything is made. */
function usage(message: string): never {
  process.stderr.write(`bench: ${message}\n`)
  process.exit(2)
}
const quick = args.includes('--quick')
const jsonFile = args.includes('--json') ? args[args.indexOf('--json') + 1] : undefined
/**
 * Where the sequential writes read their data from. `memory` (the default, when /dev/shm has room):
 * a tmpfs file, which dropping the page cache leaves in place, so a write figure is the subject
 * writing, not also the disk under test reading the source back cold while it writes. `disk`: a
 * file beside the subjects, read cold each time: a copy within one disk, where a subject that
 * writes as it goes (shmr) shares the disk with the reads and one that holds the writes in memory
 * until the fsync (the passthrough, the raw disk) reads first and writes after.
 */
const sourceArg = args.includes('--source') ? args[args.indexOf('--source') + 1] : 'memory'
if (sourceArg !== 'memory' && sourceArg !== 'disk') usage(`--source takes memory or disk; got ${sourceArg}`)
const SECTIONS = ['raw', 'mergerfs', 'passthrough', 'shmr', 'tree', 'rewrites', 'archive', 'online', 'recovery', 'objectstore', 'codec'] as const
/** `--only shmr,passthrough`: run just those sections (for working on one figure; ratios need both sides). */
const only = args.includes('--only') ? new Set(args[args.indexOf('--only') + 1]!.split(',')) : new Set<string>(SECTIONS)
for (const name of only) {
  if (!(SECTIONS as readonly string[]).includes(name)) usage(`--only takes ${SECTIONS.join(', ')}; got ${name}`)
}
const SIZE = quick ? 128 * MiB : 1024 * MiB
/** Files in the tree section's tree (`--tree-files N` to change it). */
const TREE_FILES = args.includes('--tree-files') ? Number(args[args.indexOf('--tree-files') + 1]) : quick ? 1000 : 20_000
if (!Number.isInteger(TREE_FILES) || TREE_FILES < 100) usage('--tree-files takes a whole number of at least 100')
/** Small files the recovery section shifts and recovers (`--recover-files N`). */
const RECOVER_FILES = args.includes('--recover-files') ? Number(args[args.indexOf('--recover-files') + 1]) : quick ? 500 : 10_000
if (!Number.isInteger(RECOVER_FILES) || RECOVER_FILES < 100) usage('--recover-files takes a whole number of at least 100')
const RUNS = 3
/** Runs of each sequential write and read: the systems take turns, so drift hits them alike. */
const SEQUENTIAL_RUNS = 5
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')
const shmrBin = path.join(repo, 'bin', 'run.js')
/** Resolved, as the mount table names the mounts in it. */
const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'shmr-bench-')))
const cleanups: Array<() => Promise<unknown>> = []

/**
 * A measured figure. `rounds` (in the order they ran) is kept for figures taken in turns with
 * others, one value per round: ratios between two such figures pair them round by round.
 */
interface Figure { readonly median: number; readonly min: number; readonly max: number; readonly unit: string; readonly rounds?: readonly number[] }
const results: Record<string, Figure> = {}
/** The demo's mount.cacheSize (the default). */
const CACHE_BYTES = defaultMountConfig().cacheBytes
let peakRssBytes: number | undefined
const notes: Record<string, string> = {}

let cleaning: Promise<void> | undefined
/** Undoes what the bench made, once: the signal handlers and the end of the run share it. */
function cleanUp(): Promise<void> {
  cleaning ??= (async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {})
    // Whatever is still mounted in the bench's directory (a server that died, a dead mount) is
    // detached before the directory goes: removing it recursively would delete through a live mount.
    for (const mountpoint of await mountsUnder(root)) await quietly(`fusermount3 -u ${mountpoint} || fusermount3 -uz ${mountpoint}`)
    const left = await mountsUnder(root)
    if (left.length > 0) {
      process.stderr.write(`bench: ${left.join(', ')} would not unmount; unmount it (fusermount3 -u) and remove ${root}\n`)
      process.exitCode = 1
      return
    }
    // A server detached lazily (a reader still had a file open at Ctrl-C) serves on until its
    // last file closes, then writes its metadata snapshot to the drives and lets go of its lock:
    // removing the directory meanwhile raced that snapshot (ENOTEMPTY).
    for (let waits = 0; waits < 600 && serversHoldingLocks().length > 0; waits++) await new Promise((resolve) => setTimeout(resolve, 100))
    fs.rmSync(root, {recursive: true, force: true})
  })()
  return cleaning
}
/** The lock files of the bench's filesystems whose servers still run (ROOT/NAME/meta or ROOT/NAME/NAME/meta). */
function serversHoldingLocks(): string[] {
  const metas = (dir: string): string[] => {
    try {
      return fs.readdirSync(dir, {withFileTypes: true}).filter((entry) => entry.isDirectory()).map((entry) => path.join(dir, entry.name))
    } catch {
      return [] // gone meanwhile, or unreadable: no server's lock there
    }
  }
  return metas(root).flatMap((dir) => [dir, ...metas(dir)]).map((dir) => path.join(dir, 'meta', LOCK_FILE)).filter(heldByLiveProcess)
}

/** Whether a lock file is there and its holder still runs (a server killed leaves its lock behind). */
function heldByLiveProcess(file: string): boolean {
  try {
    process.kill((JSON.parse(fs.readFileSync(file, 'utf8')) as {pid: number}).pid, 0)
    return true
  } catch {
    return false
  }
}

/** The exit status a signal asked for (128 + its number), once one came. */
let interrupted: number | undefined
for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
  process.on(signal, () => {
    interrupted ??= code
    void cleanUp().then(() => process.exit(code))
  })
}

const sh = (command: string): Promise<unknown> => execa('bash', ['-c', command], {stdio: ['ignore', 'ignore', 'inherit']})
const shmr = (...shmrArgs: string[]): Promise<unknown> => execa(process.execPath, [shmrBin, ...shmrArgs], {stdio: ['ignore', 'ignore', 'inherit']})
/** For cleanups: whatever state things are in, quietly. */
const quietly = (command: string): Promise<unknown> => execa('bash', ['-c', command], {stdio: 'ignore', reject: false})

async function dropCaches(): Promise<void> {
  await sh('sync')
  try {
    fs.writeFileSync('/proc/sys/vm/drop_caches', '3')
  } catch {
    notes.cache = 'page cache could not be dropped (not root): cold reads may be warm'
  }
}

async function seconds(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now()
  await work()
  return (performance.now() - started) / 1000
}

const median = (values: readonly number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!

/** Records median, min and max of `values`; `inRounds`: one value per round of turns, kept in order. */
function record(name: string, unit: string, values: readonly number[], inRounds = false): void {
  results[name] = {median: median(values), min: Math.min(...values), max: Math.max(...values), unit, ...(inRounds ? {rounds: [...values]} : {})}
  process.stderr.write(`  ${name}: ${shortFigure(results[name]!.median)} ${unit}\n`)
}

/** Runs `work` RUNS times (each returning a throughput) and records median, min and max. */
async function measure(name: string, unit: string, work: (run: number) => Promise<number>): Promise<void> {
  const values: number[] = []
  for (let run = 0; run < RUNS; run++) values.push(await work(run))
  record(name, unit, values)
}

/** A directory to write to and read from: the raw disk or a mount. */
interface Subject {
  readonly label: string
  readonly dir: string
  /** See TreeSubject.flush: what finishes the subject's writes and deletes where `sync` does not reach. */
  readonly flush?: string
}

/**
 * Sequential write (with fsync) and cold read of SIZE bytes in each subject's directory, as dd
 * does them. The subjects take turns within each round, starting one further on each time: the
 * disk and the page cache drift over a run (2-4x here), and taking turns spreads the drift over
 * all of them instead of charging it to whichever ran last.
 */
async function sequential(subjects: readonly Subject[], source: string): Promise<void> {
  const rounds = async (kind: string, work: (subject: Subject) => Promise<number>): Promise<void> => {
    const values = new Map(subjects.map((subject) => [subject.label, [] as number[]]))
    for (let round = 0; round < SEQUENTIAL_RUNS; round++) {
      for (let turn = 0; turn < subjects.length; turn++) {
        const subject = subjects[(round + turn) % subjects.length]!
        values.get(subject.label)!.push(await work(subject))
      }
    }
    for (const subject of subjects) record(`${subject.label} ${kind}`, 'MB/s', values.get(subject.label)!, true)
  }
  await rounds('write', async ({dir, flush}) => {
    fs.rmSync(path.join(dir, 'f'), {force: true})
    // shmr deletes the last round's block files after the unlink returns: 1,024 unlinks, each a
    // discard on this machine's disk (~1 ms), which ran beside the timed write and took it from
    // 2.45-2.81 s to 3.24-4.07 s (mergerfs 2.79-3.62). Each subject's delete is done before its write.
    if (flush) await sh(flush)
    await dropCaches()
    return SIZE / 1e6 / await seconds(() => sh(`dd if=${source} of=${dir}/f bs=1M conv=fsync status=none`))
  })
  await rounds('cold read', async ({dir}) => {
    await dropCaches()
    return SIZE / 1e6 / await seconds(() => sh(`dd if=${dir}/f of=/dev/null bs=1M status=none`))
  })
}

/** The live data of the rewrites section: the file its random writes land in (the defects issue's 120 MiB). */
const REWRITE_FILE_BYTES = quick ? 32 * MiB : 120 * MiB

/**
 * The defects issue's workload (bench/randomRewrites.py): random 64 KiB writes with an fsync every
 * 16, four times REWRITE_FILE_BYTES in all, into a file of that size, on shmr and on the raw disk,
 * taking turns. Each fsync writes shmr's touched 1 MiB blocks out whole, as new generations.
 * Records shmr's pool bytes per live byte (the most seen after an fsync) and both write rates.
 */
async function rewrites(shmrMount: ShmrMount): Promise<void> {
  const subjects = [{label: 'shmr', dir: shmrMount.dir, pool: path.join(shmrMount.demo, 'write', 'ssd0')}, {label: 'raw', dir: path.join(root, 'raw'), pool: path.join(root, 'raw')}]
  const rates = new Map(subjects.map(({label}) => [label, [] as number[]]))
  const perLive: number[] = []
  for (let round = 0; round < RUNS; round++) {
    for (let turn = 0; turn < subjects.length; turn++) {
      const subject = subjects[(round + turn) % subjects.length]!
      const file = path.join(subject.dir, 'rewritten')
      fs.rmSync(file, {force: true})
      await sh(`head -c ${REWRITE_FILE_BYTES} /dev/urandom > ${file} && sync ${file}`)
      const writes = 4 * REWRITE_FILE_BYTES / 65536
      const {stdout} = await execa('python3', [path.join(repo, 'bench', 'randomRewrites.py'), file, subject.pool, String(REWRITE_FILE_BYTES), String(writes), '16'])
      const [most, rate] = stdout.trim().split(' ').map(Number) as [number, number]
      rates.get(subject.label)!.push(rate)
      if (subject.label === 'shmr') perLive.push(most / REWRITE_FILE_BYTES)
      fs.rmSync(file, {force: true})
    }
  }
  for (const {label} of subjects) record(`${label} random 64K rewrites`, 'MB/s', rates.get(label)!, true)
  record('shmr pool bytes per live byte', '×', perLive)
}

/** mergerfs over two branch directories, as its users run it; undefined when it cannot be had. */
async function mountMergerfs(): Promise<Subject | undefined> {
  if ((await execa('bash', ['-c', 'command -v mergerfs'], {reject: false})).exitCode !== 0) {
    await execa('bash', ['-c', 'apt-get install -y -qq mergerfs >/dev/null'], {reject: false})
  }
  if ((await execa('bash', ['-c', 'command -v mergerfs'], {reject: false})).exitCode !== 0) {
    notes.mergerfs = 'mergerfs is not installed and could not be installed: skipped'
    return undefined
  }
  const [a, b, mnt] = ['m1', 'm2', 'mmnt'].map((name) => fs.mkdirSync(path.join(root, name), {recursive: true}) ?? path.join(root, name))
  await sh(`mergerfs -o cache.files=off,category.create=mfs ${a}:${b} ${mnt}`)
  cleanups.push(() => quietly(`fusermount3 -u ${mnt}`))
  return {label: 'mergerfs', dir: mnt!}
}

/** The passthrough on shmr's binding (bench/passthrough.ts), until the cleanups stop it. */
async function mountPassthrough(): Promise<Subject> {
  const [backing, mnt] = ['p', 'pmnt'].map((name) => path.join(root, name))
  for (const dir of [backing!, mnt!]) fs.mkdirSync(dir)
  const child: ChildProcess = spawn(process.execPath, [path.join(repo, 'dist', 'bench', 'passthrough.js'), backing!, mnt!], {stdio: ['ignore', 'pipe', 'inherit']})
  // Unmounted from outside first, then stopped: the child unmounting itself on SIGTERM while the
  // bench did the same left the mount dead and listed, once in a CI run.
  const exited = new Promise((resolve) => child.once('exit', resolve))
  cleanups.push(async () => {
    await quietly(`fusermount3 -u ${mnt}`)
    child.kill('SIGTERM')
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000).unref())])
    child.kill('SIGKILL') // if it is still there after 10 s
  })
  await new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()))
  return {label: 'passthrough', dir: mnt!}
}

function peakRss(pid: number): number {
  return Number(/^VmHWM:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024
}

interface ShmrMount extends Subject {
  readonly demo: string
  readonly config: string
  readonly pid: number
}

/** A demo filesystem, mounted. */
async function mountShmr(): Promise<ShmrMount> {
  const demo = path.join(root, 'shmr')
  await shmr('init', '--demo', demo)
  const config = path.join(demo, 'shmr.yaml')
  await shmr('mount', '-c', config, '--background')
  cleanups.push(() => quietly(`node ${shmrBin} umount -c ${config}`))
  const pid = JSON.parse(fs.readFileSync(path.join(demo, 'meta', 'shmr.lock'), 'utf8')).pid as number
  return {label: 'shmr', dir: path.join(demo, 'mnt'), flush: `node ${shmrBin} flush -c ${config} > /dev/null`, demo, config, pid}
}

/** Unmounts and mounts the demo again: its cache starts empty. */
async function remount({config}: ShmrMount): Promise<void> {
  await shmr('umount', '-c', config)
  await shmr('mount', '-c', config, '--background')
}

/** The random-read subjects of the archive section: f erasure-coded 4+2 (64M blocks), then degraded: 2 of each block's 6 shards gone. */
const ARCHIVED = 'shmr archive'
const DEGRADED = 'shmr degraded'

/** The random-read section over `readers`, if fio is there or can be installed. */
async function randomReads(readers: readonly RandomReadSubject[]): Promise<void> {
  const fioMissing = await haveFio()
  if (fioMissing) notes.fio = fioMissing
  else await randomReadSection(readers, {passBytes: quick ? 8 * MiB : SIZE, runs: quick ? 1 : RUNS}, {sh, dropCaches, seconds, record})
}

/** Random reads of the demo's file f as it is stored now, the demo mounted afresh for each turn, then unmounted. */
async function archivedRandomReads(mounted: ShmrMount, label: string): Promise<void> {
  await shmr('mount', '-c', mounted.config, '--background')
  await randomReads([{label, dir: mounted.dir, cool: () => remount(mounted)}])
  await shmr('umount', '-c', mounted.config)
}

/**
 * Shift of the mounted demo's file f (unmounting it), random reads of it on the archive, decode,
 * then decode and random reads with 2 shards of each block lost.
 */
async function archive(mounted: ShmrMount): Promise<void> {
  const {demo, config} = mounted
  await shmr('umount', '-c', config)
  const drives = [0, 1, 2, 3, 4, 5].map((i) => path.join(demo, 'archive', `smr${i}`))
  await measure('shmr shift', 'MB/s', async (run) => {
    if (run > 0) await shmr('shift', '-c', config, '/f', '--to', 'write')
    return SIZE / 1e6 / await seconds(() => shmr('shift', '-c', config, '/f'))
  })
  await archivedRandomReads(mounted, ARCHIVED)
  const decode = (): Promise<number> => seconds(() => execa('bash', ['-c', `node ${shmrBin} decode ${drives.join(' ')} > /dev/null 2>/dev/null`]))
  await measure('shmr decode', 'MB/s', async () => {
    await dropCaches()
    return SIZE / 1e6 / await decode()
  })
  await sh(`find ${drives.join(' ')} -name '*.d1.*' -delete -o -name '*.d2.*' -delete`)
  await measure('shmr decode, 2 shards lost', 'MB/s', async () => {
    await dropCaches()
    return SIZE / 1e6 / await decode()
  })
  await archivedRandomReads(mounted, DEGRADED)
}

/**
 * The codec alone (bench/codecStreams.ts): encode and reconstruct of 256 KiB shards, each call a
 * job for the blocks addon's coding threads, with two streams of calls per thread. "1 core" is the
 * whole process pinned to one CPU (taskset) with one coding thread: the JavaScript thread that
 * starts each job and takes its result shares that core, as it shares all of them in the "all
 * cores" run. The "1 coding thread" row leaves the process unpinned, the JavaScript thread on
 * another core: what one coding thread does when it has a core to itself.
 */
async function codec(): Promise<void> {
  // A sample runs 0.8-2 s here: at 6000 calls (0.2 s on all cores) one pause of the machine moved
  // a round's ratio by a third (1.31-2.15 over five rounds; 1.85-2.03 at 24000).
  const rounds = quick ? 800 : 24000
  const cores = os.cpus().length
  const pin = (await execa('bash', ['-c', 'command -v taskset'], {reject: false})).exitCode === 0
  if (!pin) notes.codec = 'taskset not found: the "1 core" codec figures ran unpinned (on any core)'
  for (const [data, parity] of [[4, 2], [8, 3]] as const) {
    const run = async (threads: number, pinned: boolean): Promise<{encode: number; reconstruct: number}> => {
      const script = [path.join(repo, 'dist', 'bench', 'codecStreams.js'), String(data), String(parity), String(rounds)]
      const {stdout} = await execa(pinned && pin ? 'taskset' : process.execPath, pinned && pin ? ['-c', '0', process.execPath, ...script] : script,
        {env: {SHMR_CODER_THREADS: String(threads)}})
      return JSON.parse(stdout) as {encode: number; reconstruct: number}
    }
    // The three take turns, as the sequential runs do: a slow spell of the machine then lands on
    // all of them instead of on whichever ran during it.
    const figures = {one: [] as number[], reconstruct: [] as number[], oneThread: [] as number[], all: [] as number[]}
    for (let round = 0; round < SEQUENTIAL_RUNS; round++) {
      const one = await run(1, true)
      figures.one.push(one.encode)
      figures.reconstruct.push(one.reconstruct)
      figures.oneThread.push((await run(1, false)).encode)
      figures.all.push((await run(cores, false)).encode)
    }
    record(`codec ${data}+${parity} encode, 1 core`, 'MB/s', figures.one, true)
    record(`codec ${data}+${parity} reconstruct, 1 core`, 'MB/s', figures.reconstruct, true)
    record(`codec ${data}+${parity} encode, 1 coding thread`, 'MB/s', figures.oneThread, true)
    record(`codec ${data}+${parity} encode, ${cores} cores`, 'MB/s', figures.all, true)
  }
}

/**
 * a / b. Figures taken in the same rounds are paired: the median of the rounds' ratios, since the
 * machine drifts between rounds more than within one (two runs a few seconds apart are compared,
 * not the medians of runs minutes apart). Otherwise the ratio of the medians.
 */
function ratioOf(a: string, b: string): number | undefined {
  return pairedRatios(a, b)?.median ?? ratioOfMedians(a, b)
}

function ratioOfMedians(a: string, b: string): number | undefined {
  return results[a] && results[b] ? results[a]!.median / results[b]!.median : undefined
}

function pairedRatios(a: string, b: string): {median: number; min: number; max: number} | undefined {
  const [x, y] = [results[a]?.rounds, results[b]?.rounds]
  if (!x || !y || x.length !== y.length) return undefined
  const ratios = x.map((value, i) => value / y[i]!)
  return {median: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios)}
}

function ratio(a: string, b: string): string {
  const paired = pairedRatios(a, b)
  if (paired) return `${paired.median.toFixed(2)}× (${paired.min.toFixed(2)}–${paired.max.toFixed(2)})`
  const value = ratioOfMedians(a, b)
  return value === undefined ? 'n/a' : `${value.toFixed(2)}×`
}

interface Target { readonly what: string; readonly value: number | undefined; readonly goal: number; readonly unit: string; readonly atMost?: boolean }

/** The targets, each against what this run measured (undefined: its section did not run). */
function targets(): Target[] {
  const cores = os.cpus().length
  const ratioTarget = (what: string, a: string, b: string): Target => ({what, value: ratioOf(a, b), goal: 1, unit: '×'})
  return [
    ratioTarget('write, shmr / passthrough', 'shmr write', 'passthrough write'),
    ratioTarget('cold read, shmr / passthrough', 'shmr cold read', 'passthrough cold read'),
    ratioTarget('cold read, shmr / mergerfs', 'shmr cold read', 'mergerfs cold read'),
    ratioTarget('write, shmr / mergerfs (the goal)', 'shmr write', 'mergerfs write'),
    {...ratioTarget('4K random read QD1, shmr / mergerfs IOPS', randomReadFigure('shmr', 1), randomReadFigure('mergerfs', 1)), goal: 0.8},
    {what: `mount peak RSS, ${formatSize(SIZE)} write and read`, value: peakRssBytes === undefined ? undefined : peakRssBytes / MiB, goal: (CACHE_BYTES + 150 * MiB) / MiB, unit: ' MiB', atMost: true},
    ...TREE_STEPS.map((step) => ({...ratioTarget(`tree ${step}, shmr / mergerfs time`, treeFigure('shmr', step), treeFigure('mergerfs', step)), atMost: true})),
    ...CREATE_SIZES.map((size) => ({...ratioTarget(`${createFigure('', size).trim()} file, shmr / mergerfs time`, createFigure('shmr', size), createFigure('mergerfs', size)), atMost: true})),
    {what: 'pool bytes per live byte, rewrites', value: results['shmr pool bytes per live byte']?.max, goal: 2, unit: '×', atMost: true},
    {what: 'shift', value: results['shmr shift']?.median, goal: 300, unit: ' MB/s'},
    {...ratioTarget('shift inside the mount / offline', ONLINE_FIGURES.online, ONLINE_FIGURES.offline), goal: 0.8},
    {...ratioTarget('cold read beside a 100M/s shift / alone', ONLINE_FIGURES.readBeside, ONLINE_FIGURES.readAlone), goal: 0.8},
    {what: 'shift under the archive pool\'s rate: 40M (41.9 MB/s), to its drives', value: results[ONLINE_FIGURES.poolRate]?.median, goal: 41.9, unit: ' MB/s', atMost: true},
    {what: 'decode', value: results['shmr decode']?.median, goal: 500, unit: ' MB/s'},
    {what: 'decode, 2 shards lost', value: results['shmr decode, 2 shards lost']?.median, goal: 300, unit: ' MB/s'},
    {...ratioTarget('encode 4+2, all cores / one', `codec 4+2 encode, ${cores} cores`, 'codec 4+2 encode, 1 core'), goal: 1.8},
    {...ratioTarget('encode 8+3, all cores / one', `codec 8+3 encode, ${cores} cores`, 'codec 8+3 encode, 1 core'), goal: 1.8},
  ]
}

/** One decimal, or three significant digits for a figure under 10 (a tree step of a tenth of a second). */
const shortFigure = (value: number): string => (value >= 10 ? value.toFixed(1) : value.toPrecision(3))

function report(): string {
  const lines = [`shmr bench: ${SIZE / MiB} MiB, median (min–max) of ${SEQUENTIAL_RUNS} runs (sequential, the reader beside a shift and codec) or ${RUNS}, ${os.cpus().length} cores`,
    `writes read their source from ${writesReadFrom}`, '']
  for (const [name, figure] of Object.entries(results)) {
    lines.push(`  ${name.padEnd(38)} ${shortFigure(figure.median).padStart(9)} ${figure.unit.padEnd(5)} (${shortFigure(figure.min)}–${shortFigure(figure.max)})`)
  }
  lines.push('', 'ratios (same run; of figures taken in turns, the median of the rounds\' ratios and their min–max):')
  const cores = os.cpus().length
  const pairs: Array<[string, string, string]> = []
  for (const kind of ['write', 'cold read']) {
    for (const other of ['raw', 'mergerfs', 'passthrough']) pairs.push([`${kind} shmr/${other}`, `shmr ${kind}`, `${other} ${kind}`])
    pairs.push([`${kind} passthrough/mergerfs`, `passthrough ${kind}`, `mergerfs ${kind}`])
  }
  for (const depth of RANDOM_READ_DEPTHS) {
    for (const other of ['mergerfs', 'raw']) pairs.push([`4K random read QD${depth} shmr/${other}`, randomReadFigure('shmr', depth), randomReadFigure(other, depth)])
    for (const label of [ARCHIVED, DEGRADED]) pairs.push([`4K random read QD${depth} ${label}/mergerfs`, randomReadFigure(label, depth), randomReadFigure('mergerfs', depth)])
  }
  pairs.push(['random 64K rewrites shmr/raw', 'shmr random 64K rewrites', 'raw random 64K rewrites'])
  pairs.push(['4K random reads beside an unthrottled shift / alone', ONLINE_FIGURES.randomBeside, ONLINE_FIGURES.randomAlone])
  // Times, not rates: below 1 is shmr faster.
  for (const figure of [...TREE_STEPS.map((step) => (label: string) => treeFigure(label, step)), ...CREATE_SIZES.map((size) => (label: string) => createFigure(label, size))]) {
    for (const other of ['mergerfs', 'raw']) pairs.push([`${figure('').trim()} shmr/${other}`, figure('shmr'), figure(other)])
  }
  for (const scheme of ['4+2', '8+3']) {
    for (const one of ['1 core', '1 coding thread']) pairs.push([`encode ${scheme} all cores / ${one}`, `codec ${scheme} encode, ${cores} cores`, `codec ${scheme} encode, ${one}`])
  }
  for (const [what, a, b] of pairs) lines.push(`  ${what.padEnd(38)} ${ratio(a, b)}`)
  lines.push('', 'targets:')
  for (const target of targets()) {
    const verdict = target.value === undefined ? 'not run' : (target.atMost ? target.value <= target.goal : target.value >= target.goal) ? 'met' : 'MISSED'
    const shown = target.value === undefined ? '' : `${target.value.toFixed(target.unit === '×' ? 2 : 0)}${target.unit}`
    lines.push(`  ${target.what.padEnd(38)} ${shown.padStart(10)}  ${target.atMost ? '≤' : '≥'} ${target.goal}${target.unit}  ${verdict}`)
  }
  for (const note of Object.values(notes)) lines.push(`note: ${note}`)
  return lines.join('\n')
}

let writesReadFrom = ''

/**
 * The sequential writes' source file (see --source). In memory only while that leaves the machine
 * room for the subjects' page cache (the source, plus four times its size free): otherwise on disk.
 */
function sourceFile(): string {
  writesReadFrom = 'the disk under test, cold'
  if (sourceArg === 'memory') {
    const shm = fs.existsSync('/dev/shm') ? fs.statfsSync('/dev/shm') : undefined
    if (shm && shm.bavail * shm.bsize > 2 * SIZE && os.freemem() > 5 * SIZE) {
      const file = fs.mkdtempSync('/dev/shm/shmr-bench-')
      cleanups.push(async () => fs.rmSync(file, {recursive: true, force: true}))
      writesReadFrom = 'memory (/dev/shm)'
      return path.join(file, 'source.bin')
    }
    notes.source = 'not enough free memory for the source in /dev/shm: the writes read it from the disk under test (as --source disk)'
  }
  return path.join(root, 'source.bin')
}

try {
  const source = sourceFile()
  process.stderr.write(`preparing ${SIZE / MiB} MiB of random data in ${source}\n`)
  await sh(`head -c ${SIZE} /dev/urandom > ${source}`)
  fs.mkdirSync(path.join(root, 'raw'))
  const subjects: Subject[] = []
  if (only.has('raw')) subjects.push({label: 'raw', dir: path.join(root, 'raw')})
  const mergerfs = only.has('mergerfs') ? await mountMergerfs() : undefined
  if (mergerfs) subjects.push(mergerfs)
  if (only.has('passthrough')) subjects.push(await mountPassthrough())
  const mounted = only.has('shmr') || only.has('rewrites') || only.has('archive') ? await mountShmr() : undefined
  if (mounted && only.has('shmr')) subjects.push(mounted)
  await sequential(subjects, source)
  if (mounted && only.has('shmr')) {
    peakRssBytes = peakRss(mounted.pid)
    notes.rss = `shmr mount peak RSS over the sequential writes and reads: ${(peakRssBytes / MiB).toFixed(0)} MiB (cache ${CACHE_BYTES / MiB} MiB)`
  }
  await randomReads(subjects.filter((subject) => subject.label !== 'passthrough').map((subject) => (subject === mounted ? {...subject, cool: () => remount(mounted)} : subject)))
  if (mounted && only.has('rewrites')) await rewrites(mounted)
  if (only.has('tree')) {
    const treeSubjects = subjects.filter((subject) => subject.label !== 'passthrough')
    if (mounted && only.has('shmr')) notes.treeFlush = "shmr's tree untar + sync and rm -rf + sync end with `shmr flush` (sync(2) does not reach a FUSE server): each subject's step ends with the tree, or its removal, on disk"
    await treeSection(treeSubjects, {files: TREE_FILES, runs: quick ? 1 : RUNS, creates: quick ? 200 : 1000, scratch: root, repo}, {sh, dropCaches, seconds, record})
  }
  if (mounted && only.has('archive')) {
    if (!only.has('shmr')) await sh(`dd if=${source} of=${mounted.dir}/f bs=1M conv=fsync status=none`)
    await archive(mounted)
  }
  if (only.has('online')) {
    const noFio = await haveFio()
    if (noFio) notes.onlineRandom = noFio
    await onlineSection({sizeBytes: SIZE, rounds: quick ? 1 : RUNS, readerRounds: quick ? 1 : SEQUENTIAL_RUNS, scratch: root, repo, fio: !noFio}, {sh, dropCaches, seconds, record})
  }
  if (only.has('recovery')) {
    await recoverySection({files: RECOVER_FILES, scratch: root, repo}, {sh, dropCaches, seconds, record, note: (key, text) => { notes[key] = text }})
  }
  if (only.has('objectstore')) {
    await objectStoreSection({sizeBytes: quick ? 64 * MiB : 256 * MiB, rounds: quick ? 1 : RUNS, scratch: root, repo},
      {sh, dropCaches, seconds, record, note: (key, text) => { notes[key] = text }, onCleanup: (cleanup) => cleanups.push(cleanup)})
  }
  if (only.has('codec')) await codec()
  const text = report()
  process.stdout.write(`${text}\n`)
  if (jsonFile) fs.writeFileSync(jsonFile, `${JSON.stringify({sizeBytes: SIZE, runs: RUNS, sequentialRuns: SEQUENTIAL_RUNS, writesReadFrom, results, targets: targets(), notes}, null, 2)}\n`)
} catch (error) {
  // After a signal the cleanup unmounts the subjects under the step that was running, which then
  // fails: that failure is the interruption's, not the bench's.
  if (interrupted === undefined) {
    process.stderr.write(`bench: failed: ${(error as {shortMessage?: string}).shortMessage ?? (error as Error).message}\n`)
    process.exitCode = 1
  }
} finally {
  await cleanUp()
  if (interrupted !== undefined) process.exit(interrupted)
}
