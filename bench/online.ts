/**
 * The bench's online section: moving data while mounted. On a demo filesystem of its own, files of
 * `sizeBytes` are written; one is shifted offline (unmounted) and one inside the mounted server,
 * unthrottled, each timed by its own report (MB/s of the file); then, in `readerRounds` rounds, a
 * sequential reader of another file is timed cold alone and cold again while the server shifts a
 * file of its own at --rate 100M. The targets: online at least 0.8x offline, the reader
 * slowed by at most 20% (the median of the ratios paired round by round; as many rounds as the
 * sequential section's, since two cold reads of one file in a row, nothing else running, gave
 * ratios of 0.83x to 1.14x here: three rounds left the median to one round's luck). Last, a
 * shift under the archive pool's `rate` (no --rate): what it wrote to the drives per second, to
 * stand beside the cap. With fio, also in rounds: 4 KiB random reads of the cold file for
 * RANDOM_SECONDS, alone and beside an unthrottled shift of two files (a shift's default: the
 * mount's small reads must not queue behind a task's I/O).
 */
import fs from 'node:fs'
import path from 'node:path'
import {execa} from 'execa'
import YAML from 'yaml'
import {fioTimedIops} from './randomReads.js'
import type {BenchTools} from './tree.js'

export const ONLINE_FIGURES = {
  offline: 'shift offline',
  online: 'shift inside the mount',
  readAlone: 'cold read, alone',
  readBeside: 'cold read beside a 100M/s shift',
  poolRate: 'shift under the archive pool\'s rate: 40M, bytes to its drives',
  randomAlone: '4K random reads, alone',
  randomBeside: '4K random reads beside an unthrottled shift',
} as const

/** How long fio reads at random each time: inside an unthrottled shift of two bench files (about 4 s here). */
const RANDOM_SECONDS = 3

/** The archive pool's `rate` the bench sets for its last shift: the writes to its drives must stay under it. */
const POOL_RATE = '40M'

export async function onlineSection(options: {sizeBytes: number; rounds: number; readerRounds: number; scratch: string; repo: string; fio: boolean}, tools: BenchTools): Promise<void> {
  const shmrBin = path.join(options.repo, 'bin', 'run.js')
  const shmr = async (...args: string[]): Promise<string> => (await execa(process.execPath, [shmrBin, ...args], {stdin: 'ignore'})).stdout
  const demo = path.join(options.scratch, 'online')
  await shmr('init', '--demo', demo)
  const config = path.join(demo, 'shmr.yaml')
  const mnt = path.join(demo, 'mnt')
  const mib = Math.round(options.sizeBytes / (1024 * 1024))
  const shiftRate = (report: string): number => {
    const {seconds} = JSON.parse(report) as {seconds: number}
    return options.sizeBytes / 1e6 / seconds
  }
  await shmr('mount', '-c', config, '--background')
  try {
    const moving = Array.from({length: options.readerRounds}, (_, round) => `moving${round}`)
    const randomMoving = options.fio ? Array.from({length: options.rounds}, (_, round) => [`random${round}a`, `random${round}b`]) : []
    for (const name of ['offline', 'online', 'read', 'capped', ...moving, ...randomMoving.flat()]) await tools.sh(`dd if=/dev/urandom of=${mnt}/${name} bs=1M count=${mib} conv=fsync status=none`)
    await shmr('umount', '-c', config)
    await tools.dropCaches()
    tools.record(ONLINE_FIGURES.offline, 'MB/s', [shiftRate(await shmr('shift', '-c', config, '/offline', '--json'))])
    await shmr('mount', '-c', config, '--background')
    await tools.dropCaches()
    tools.record(ONLINE_FIGURES.online, 'MB/s', [shiftRate(await shmr('shift', '-c', config, '/online', '--json'))])
    // The old blocks' deletion done before anything is timed beside it.
    await shmr('flush', '-c', config)
    // One read untimed first: the server's first read of its life also allocates its cache and
    // warms its code (a first cold read ran at 400-630 MB/s, the next ones at 880-1350), which
    // would count against the first round's reader alone and flatter its ratio.
    await tools.dropCaches()
    await tools.sh(`cat ${mnt}/read > /dev/null`)
    const alone: number[] = []
    const beside: number[] = []
    for (const name of moving) {
      await tools.dropCaches()
      alone.push(options.sizeBytes / 1e6 / await tools.seconds(() => tools.sh(`cat ${mnt}/read > /dev/null`)))
      await tools.dropCaches()
      const shift = execa(process.execPath, [shmrBin, 'shift', '-c', config, `/${name}`, '--rate', '100M'], {stdin: 'ignore'})
      // The shift under way before the reader starts: its plan made, its first block being read.
      await new Promise((resolve) => setTimeout(resolve, 500))
      beside.push(options.sizeBytes / 1e6 / await tools.seconds(() => tools.sh(`cat ${mnt}/read > /dev/null`)))
      await shift
      await shmr('flush', '-c', config)
    }
    tools.record(ONLINE_FIGURES.readAlone, 'MB/s', alone, true)
    tools.record(ONLINE_FIGURES.readBeside, 'MB/s', beside, true)
    const randomAlone: number[] = []
    const randomBeside: number[] = []
    for (const names of randomMoving) {
      await tools.dropCaches()
      randomAlone.push(await fioTimedIops(`${mnt}/read`, RANDOM_SECONDS))
      await tools.dropCaches()
      const shift = execa(process.execPath, [shmrBin, 'shift', '-c', config, ...names.map((name) => `/${name}`)], {stdin: 'ignore'})
      await new Promise((resolve) => setTimeout(resolve, 500))
      randomBeside.push(await fioTimedIops(`${mnt}/read`, RANDOM_SECONDS))
      await shift
      await shmr('flush', '-c', config)
    }
    if (options.fio) {
      tools.record(ONLINE_FIGURES.randomAlone, 'IOPS', randomAlone, true)
      tools.record(ONLINE_FIGURES.randomBeside, 'IOPS', randomBeside, true)
    }
    // The pool's own cap, no --rate: shards and parity written per second (40M = 41.9 MB/s).
    await shmr('umount', '-c', config)
    const document = YAML.parseDocument(fs.readFileSync(config, 'utf8'))
    const pools = document.get('pools') as YAML.YAMLSeq<YAML.YAMLMap>
    pools.items.find((pool) => pool.get('role') === 'archive')!.set('rate', POOL_RATE)
    fs.writeFileSync(config, document.toString())
    await shmr('mount', '-c', config, '--background')
    const capped = JSON.parse(await shmr('shift', '-c', config, '/capped', '--json')) as {seconds: number; bytesWrittenByDrive: Record<string, number>}
    tools.record(ONLINE_FIGURES.poolRate, 'MB/s', [Object.values(capped.bytesWrittenByDrive).reduce((sum, bytes) => sum + bytes, 0) / 1e6 / capped.seconds])
  } finally {
    await execa(process.execPath, [shmrBin, 'umount', '-c', config], {reject: false})
  }
}
