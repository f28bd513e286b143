/**
 * The bench's tree section: what a filesystem lives on besides big files. A tree of many small
 * files (bench/makeTree.py) is untarred, listed, stat'ed, read and removed in each subject's
 * directory, the subjects taking turns; then files are created one by one (bench/createFiles.py).
 */
import fs from 'node:fs'
import path from 'node:path'
import {execa} from 'execa'

/** A directory to work in: the raw disk or a mount. */
export interface TreeSubject {
  readonly label: string
  readonly dir: string
  /**
   * What makes the subject's writes and deletes durable where `sync` does not reach: sync(2) is
   * not passed to a FUSE server (the kernel sends FUSE_SYNCFS to virtiofs only), so shmr's untar
   * and rm -rf end with `shmr flush`, to stop where the others stop, with the tree on disk or
   * gone from it. shmr deletes a removed file's block files after the unlink returns, and the
   * flush waits for that too: left running, it ran into the next subject's steps.
   */
  readonly flush?: string
}

/** ` && FLUSH` when the subject has one (see TreeSubject.flush). */
const thenFlush = ({flush}: TreeSubject): string => (flush ? ` && ${flush}` : '')

/** What the bench lends the section: its shell, cache dropping, timer and recorder. */
export interface BenchTools {
  readonly sh: (command: string) => Promise<unknown>
  readonly dropCaches: () => Promise<void>
  readonly seconds: (work: () => Promise<unknown>) => Promise<number>
  readonly record: (name: string, unit: string, values: readonly number[], inRounds?: boolean) => void
}

/**
 * The steps on the tree, in order, each timed in seconds; `cold` ones start with the page cache
 * dropped. The untar starts with it dropped too, then the tar read back in (`settled`): on an
 * ext4 without a journal (this machine's disk), a create looks past every inode freed in the last
 * 30 s whose inode table block is still cached (ext4's `recently_deleted`), so an untar right
 * after the last subject's `rm -rf` of the tree ran 2-4x slower than one after a dropped cache
 * (raw: 6.2 and 13.0 s against 3.8 and 3.5), whichever subject came next.
 */
const STEPS: ReadonlyArray<{name: string; cold: boolean; settled?: boolean; command: (tar: string, subject: TreeSubject) => string}> = [
  {name: 'untar + sync', cold: false, settled: true, command: (tar, subject) => `tar -xf ${tar} -C ${subject.dir} && sync${thenFlush(subject)}`},
  {name: 'ls -lR', cold: true, command: (_, {dir}) => `ls -lR ${dir}/tree > /dev/null`},
  {name: 'stat all', cold: false, command: (_, {dir}) => `find ${dir}/tree -printf '%s %m %T@\\n' > /dev/null`},
  {name: 'read all', cold: true, command: (_, {dir}) => `find ${dir}/tree -type f -print0 | xargs -0 cat > /dev/null`},
  {name: 'rm -rf + sync', cold: false, command: (_, subject) => `rm -rf ${subject.dir}/tree && sync${thenFlush(subject)}`},
]

/** The figures' names, for reports and tests. */
export const treeFigure = (label: string, step: string): string => `${label} tree ${step}`
export const createFigure = (label: string, size: number): string => `${label} create ${size === 0 ? 'empty' : `${size / 1024}K`}`
export const TREE_STEPS = STEPS.map((step) => step.name)
export const CREATE_SIZES = [0, 4096] as const

export async function treeSection(subjects: readonly TreeSubject[], options: {files: number; runs: number; creates: number; scratch: string; repo: string},
  tools: BenchTools): Promise<void> {
  const tar = path.join(options.scratch, 'tree.tar')
  await execa('python3', [path.join(options.repo, 'bench', 'makeTree.py'), tar, String(options.files)])
  try {
    const values = new Map<string, number[]>()
    const add = (name: string, value: number): void => {
      values.set(name, [...(values.get(name) ?? []), value])
    }
    for (let round = 0; round < options.runs; round++) {
      for (let turn = 0; turn < subjects.length; turn++) {
        const subject = subjects[(round + turn) % subjects.length]!
        for (const step of STEPS) {
          if (step.cold || step.settled) await tools.dropCaches()
          if (step.settled) await tools.sh(`cat ${tar} > /dev/null`)
          add(treeFigure(subject.label, step.name), await tools.seconds(() => tools.sh(step.command(tar, subject))))
        }
        for (const size of CREATE_SIZES) {
          const dir = path.join(subject.dir, 'creates')
          fs.mkdirSync(dir)
          const {stdout} = await execa('python3', [path.join(options.repo, 'bench', 'createFiles.py'), dir, String(options.creates), String(size)])
          add(createFigure(subject.label, size), Number(stdout))
          await tools.sh(`rm -rf ${dir}${thenFlush(subject)}`)
        }
      }
    }
    for (const [name, figures] of values) tools.record(name, name.includes(' create ') ? 'µs' : 's', figures, true)
  } finally {
    fs.rmSync(tar, {force: true})
  }
}
