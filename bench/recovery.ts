/**
 * The bench's recovery section: what the metadata snapshots cost a shift of many small files, and
 * how fast the namespace comes back from the drives alone. A demo filesystem of its own gets
 * `files` small files (2 KB, a hundred to a directory), unmounted, shifted to the archive (4+2):
 * the shift's own report gives the snapshot's seconds and bytes. Then the metadata directory and
 * the write pool are deleted and the page cache dropped: `shmr recover` rebuilds the store,
 * `shmr decode --tree` the whole tree, each timed from outside and counted in files per second.
 */
import fs from 'node:fs'
import path from 'node:path'
import {execa} from 'execa'
import type {BenchTools} from './tree.js'

const FILE_BYTES = 2000
const FILES_PER_DIR = 100

export async function recoverySection(options: {files: number; scratch: string; repo: string}, tools: BenchTools & {note: (key: string, text: string) => void}): Promise<void> {
  const shmrBin = path.join(options.repo, 'bin', 'run.js')
  const shmr = async (...args: string[]): Promise<string> => (await execa(process.execPath, [shmrBin, ...args], {stdin: 'ignore'})).stdout
  const demo = path.join(options.scratch, 'recovery')
  await shmr('init', '--demo', demo)
  const config = path.join(demo, 'shmr.yaml')
  await shmr('mount', '-c', config, '--background')
  try {
    await execa('python3', ['-c', `
import os, sys
root, files, per_dir, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
for i in range(files):
    d = f'{root}/d{i // per_dir}'
    if i % per_dir == 0: os.makedirs(d)
    with open(f'{d}/f{i}.txt', 'wb') as f: f.write(os.urandom(size))
`, path.join(demo, 'mnt'), String(options.files), String(FILES_PER_DIR), String(FILE_BYTES)])
  } finally {
    await shmr('umount', '-c', config)
  }
  const shift = JSON.parse(await shmr('shift', '-c', config, '-r', '/', '--json')) as {seconds: number; metadataSnapshot: {seconds: number; bytes: number; written: string[]}}
  const snapshot = shift.metadataSnapshot
  tools.record(`shift ${options.files} small files`, 's', [shift.seconds])
  tools.record(`shift ${options.files} small files: metadata snapshot`, 's', [snapshot.seconds])
  tools.record(`shift ${options.files} small files: snapshot per drive`, 'MB', [snapshot.bytes / 1e6])
  tools.note('recovery', `the shift's metadata snapshot: ${(snapshot.bytes / 1e6).toFixed(1)} MB to each of ${snapshot.written.length} drives, ` +
    `${(snapshot.seconds / shift.seconds * 100).toFixed(2)}% of the shift's ${shift.seconds.toFixed(1)} s`)

  fs.rmSync(path.join(demo, 'meta'), {recursive: true})
  fs.rmSync(path.join(demo, 'write', 'ssd0'), {recursive: true})
  await tools.dropCaches()
  const recoverSeconds = await tools.seconds(() => shmr('recover', '-c', config))
  tools.record(`recover ${options.files} files, cold`, 'files/s', [options.files / recoverSeconds])
  const archive = Array.from({length: 6}, (_, i) => path.join(demo, 'archive', `smr${i}`))
  await tools.dropCaches()
  const treeSeconds = await tools.seconds(() => shmr('decode', '--tree', path.join(options.scratch, 'recovered-tree'), ...archive))
  tools.record(`decode --tree ${options.files} files, cold`, 'files/s', [options.files / treeSeconds])
  fs.rmSync(demo, {recursive: true, force: true})
  fs.rmSync(path.join(options.scratch, 'recovered-tree'), {recursive: true, force: true})
}
