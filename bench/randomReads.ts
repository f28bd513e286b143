/**
 * The bench's random-read section: 4 KiB reads at random offsets of each subject's file `f` (the
 * sequential section's), cold, with fio: one pass over the file at queue depth 1 (every 4 KiB of it
 * once, in random order), then as many reads from 16 jobs at once. The subjects take turns; shmr
 * is remounted before each of its turns, so that its cache starts as empty as the page cache.
 */
import {execa} from 'execa'
import type {BenchTools} from './tree.js'

export interface RandomReadSubject {
  readonly label: string
  readonly dir: string
  /** Empties the subject's own cache (shmr: remounts it). */
  readonly cool?: () => Promise<void>
}

/** The figures' names, for reports. */
export const randomReadFigure = (label: string, depth: number): string => `${label} 4K random read, QD${depth}`
export const RANDOM_READ_DEPTHS = [1, 16] as const

/** Whether fio is there, installing Debian's when it is not; a note when it cannot be had. */
export async function haveFio(): Promise<string | undefined> {
  const has = async (): Promise<boolean> => (await execa('bash', ['-c', 'command -v fio'], {reject: false})).exitCode === 0
  if (await has()) return undefined
  await execa('bash', ['-c', 'DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fio >/dev/null'], {reject: false})
  return await has() ? undefined : 'fio is not installed and could not be installed: random reads skipped'
}

/** IOPS of `jobs` fio jobs reading `bytes` in all, 4 KiB at a time at random offsets of `file`. */
async function fioIops(file: string, bytes: number, jobs: number): Promise<number> {
  const {stdout} = await execa('fio', ['--name=random', `--filename=${file}`, '--rw=randread', '--bs=4k', '--ioengine=psync', `--numjobs=${jobs}`,
    `--io_size=${Math.floor(bytes / jobs / 4096) * 4096}`, '--randrepeat=0', '--group_reporting', '--output-format=json'])
  const report = JSON.parse(stdout) as {jobs: Array<{read: {iops: number}}>}
  return report.jobs[0]!.read.iops
}

/** IOPS of one fio job reading 4 KiB at random offsets of `file` for `seconds`, at queue depth 1. */
export async function fioTimedIops(file: string, seconds: number): Promise<number> {
  const {stdout} = await execa('fio', ['--name=random', `--filename=${file}`, '--rw=randread', '--bs=4k', '--ioengine=psync', '--readonly',
    `--runtime=${seconds}`, '--time_based', '--randrepeat=0', '--output-format=json'])
  return (JSON.parse(stdout) as {jobs: Array<{read: {iops: number}}>}).jobs[0]!.read.iops
}

export async function randomReadSection(subjects: readonly RandomReadSubject[], options: {passBytes: number; runs: number}, tools: BenchTools): Promise<void> {
  for (const depth of RANDOM_READ_DEPTHS) {
    const values = new Map(subjects.map((subject) => [subject.label, [] as number[]]))
    for (let round = 0; round < options.runs; round++) {
      for (let turn = 0; turn < subjects.length; turn++) {
        const subject = subjects[(round + turn) % subjects.length]!
        await subject.cool?.()
        await tools.dropCaches()
        values.get(subject.label)!.push(await fioIops(`${subject.dir}/f`, options.passBytes, depth))
      }
    }
    for (const subject of subjects) tools.record(randomReadFigure(subject.label, depth), 'IOPS', values.get(subject.label)!, true)
  }
}
