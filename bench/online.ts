/**
 * The bench's online section: moving data while mounted. On a demo filesystem of its own, files of
 * `sizeBytes` are written; one is shifted offline (unmounted) and one inside the mounted server,
 * unthrottled, each timed by its own report (MB/s of the file); then, in rounds, a sequential
 * reader of another file is timed cold alone and cold again while the server shifts a file of
 * its own at --rate 100M. The targets: online at least 0.8x offline, the reader slowed
 * by at most 20% (the ratio paired round by round).
 */
import path from 'node:path'
import {execa} from 'execa'
import type {BenchTools} from './tree.js'

export const ONLINE_FIGURES = {
  offline: 'shift offline',
  online: 'shift inside the mount',
  readAlone: 'cold read, alone',
  readBeside: 'cold read beside a 100M/s shift',
} as const

export async function onlineSection(options: {sizeBytes: number; rounds: number; scratch: string; repo: string}, tools: BenchTools): Promise<void> {
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
    const moving = Array.from({length: options.rounds}, (_, round) => `moving${round}`)
    for (const name of ['offline', 'online', 'read', ...moving]) await tools.sh(`dd if=/dev/urandom of=${mnt}/${name} bs=1M count=${mib} conv=fsync status=none`)
    await shmr('umount', '-c', config)
    await tools.dropCaches()
    tools.record(ONLINE_FIGURES.offline, 'MB/s', [shiftRate(await shmr('shift', '-c', config, '/offline', '--json'))])
    await shmr('mount', '-c', config, '--background')
    await tools.dropCaches()
    tools.record(ONLINE_FIGURES.online, 'MB/s', [shiftRate(await shmr('shift', '-c', config, '/online', '--json'))])
    // The old blocks' deletion done before anything is timed beside it.
    await shmr('flush', '-c', config)
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
  } finally {
    await execa(process.execPath, [shmrBin, 'umount', '-c', config], {reject: false})
  }
}
