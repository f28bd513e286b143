/**
 * The bench's object store section: an archive pool of six bucket drives (4+2) in a real
 * OpenStack Swift on this machine (started here, stopped by PID), beside the same pool on six
 * directory drives. Each subject, taking turns: `shmr shift` of one file (shifted back to the
 * write pool between rounds, timed from outside), then a cold sequential read of it through a
 * fresh mount, page cache dropped. Swift runs on the same disk and cores as shmr here, so the
 * figures are what one box does, not what a cluster would.
 */
import fs from 'node:fs'
import path from 'node:path'
import {execa} from 'execa'
import {startSwift, swiftMissing} from '../test/helpers/swiftServer.js'
import type {BenchTools} from './tree.js'

export const OBJECT_STORE_FIGURES = {
  shiftDirs: 'shift to directory drives', shiftBuckets: 'shift to bucket drives (Swift)',
  readDirs: 'cold read from directory drives', readBuckets: 'cold read from bucket drives (Swift)',
} as const

export async function objectStoreSection(options: {sizeBytes: number; rounds: number; scratch: string; repo: string},
  tools: BenchTools & {note: (key: string, text: string) => void; onCleanup: (cleanup: () => Promise<unknown>) => void}): Promise<void> {
  const missing = swiftMissing()
  if (missing) return tools.note('objectStore', `${missing}: object store section skipped`)
  const shmrBin = path.join(options.repo, 'bin', 'run.js')
  const shmr = (...args: string[]): Promise<unknown> => execa(process.execPath, [shmrBin, ...args], {stdin: 'ignore'})
  const swift = await startSwift({proxies: 1})
  // Stopped however the bench ends: an interrupted one runs its cleanups, not this function's finally.
  tools.onCleanup(() => swift.stop())
  try {
    const dirs = path.join(options.scratch, 'os-dirs')
    await shmr('init', '--demo', dirs)
    const buckets = path.join(options.scratch, 'os-buckets')
    for (const dir of ['meta', 'mnt', 'ssd0']) fs.mkdirSync(path.join(buckets, dir), {recursive: true})
    fs.writeFileSync(path.join(buckets, 'keys'), `accessKey = ${swift.accessKey}\nsecretKey = ${swift.secretKey}\n`, {mode: 0o600})
    fs.writeFileSync(path.join(buckets, 'shmr.yaml'), [
      'metadata: meta', 'mountpoint: mnt',
      'objectStores:', '  swift:', `    endpoint: ${swift.endpoints[0]}`, '    credentialsFile: keys',
      'pools:', '  - name: write', '    role: write', '    drives: {ssd0: ssd0}',
      '  - name: archive', '    role: archive', '    erasure: {data: 4, parity: 2}', '    drives:',
      ...[0, 1, 2, 3, 4, 5].map((i) => `      b${i}: {objectStore: swift, bucket: bench-b${i}}`), '',
    ].join('\n'))
    await shmr('init', '-c', path.join(buckets, 'shmr.yaml'))
    const subjects = [
      {config: path.join(dirs, 'shmr.yaml'), mnt: path.join(dirs, 'mnt'), shift: OBJECT_STORE_FIGURES.shiftDirs, read: OBJECT_STORE_FIGURES.readDirs},
      {config: path.join(buckets, 'shmr.yaml'), mnt: path.join(buckets, 'mnt'), shift: OBJECT_STORE_FIGURES.shiftBuckets, read: OBJECT_STORE_FIGURES.readBuckets},
    ]
    for (const subject of subjects) {
      await shmr('mount', '-c', subject.config, '--background')
      await tools.sh(`head -c ${options.sizeBytes} /dev/urandom > ${subject.mnt}/f && sync ${subject.mnt}/f`)
      await shmr('umount', '-c', subject.config)
    }
    const values = new Map<string, number[]>(Object.values(OBJECT_STORE_FIGURES).map((name) => [name, []]))
    for (let round = 0; round < options.rounds; round++) {
      for (let turn = 0; turn < subjects.length; turn++) {
        const subject = subjects[(round + turn) % subjects.length]!
        if (round > 0) await shmr('shift', '-c', subject.config, '/f', '--to', 'write')
        await tools.dropCaches()
        values.get(subject.shift)!.push(options.sizeBytes / 1e6 / await tools.seconds(() => shmr('shift', '-c', subject.config, '/f')))
        await shmr('mount', '-c', subject.config, '--background')
        try {
          await tools.dropCaches()
          values.get(subject.read)!.push(options.sizeBytes / 1e6 / await tools.seconds(() => tools.sh(`cat ${subject.mnt}/f > /dev/null`)))
        } finally {
          await shmr('umount', '-c', subject.config)
        }
      }
    }
    for (const [name, figures] of values) tools.record(name, 'MB/s', figures, true)
  } finally {
    await swift.stop()
  }
}
