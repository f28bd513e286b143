import assert from 'node:assert/strict'
import fs from 'node:fs'
import {describe, it} from 'node:test'
import {shmr} from '../helpers/cli.js'
import {shOk, withMount, type MountedFs} from '../helpers/mounted.js'
import {tempDir} from '../helpers/tempDir.js'

const KiB = 1024
const RULES = `tiers:
  - name: pinned
    match: {xattr: archive}
    action: {pool: archive, scheme: 3+2}
  - name: scratch
    match: {path: "/scratch/**"}
    action: {keep: true}
  - name: old-and-big
    match: {minSize: 500K, olderThan: 7d}
    action: {pool: archive, head: 512K}
`

async function topology(m: MountedFs, file: string) {
  const result = await shmr(['inspect', 'topology', '-c', m.config.file, file, '--json'])
  assert.equal(result.exitCode, 0, result.stderr)
  return JSON.parse(result.stdout) as {tierRule?: string; blocks: Array<{index: number; topology: string; shards: Array<{drive: string}>}>}
}

describe('shmr tier', () => {
  it('moves what the rules say: big old files with a head on the write pool, a pinned file, not a glob-excluded dir or new files', async () => {
    await withMount({blockSizeBytes: 64 * KiB, archiveBlockSizeBytes: 256 * KiB}, async (m) => {
      fs.appendFileSync(m.config.file, RULES)
      const source = tempDir()
      await shOk(`cd ${m.mnt} && mkdir scratch media && head -c ${1500 * KiB} /dev/urandom > media/film && head -c ${900 * KiB} /dev/urandom > scratch/tmp` +
        ` && head -c ${100 * KiB} /dev/urandom > notes && head -c ${800 * KiB} /dev/urandom > media/new && echo keep > pinned` +
        ` && setfattr -n user.shmr.tier -v archive pinned && touch -d 2020-01-01 media/film scratch/tmp notes`)
      const names = ['media/film', 'scratch/tmp', 'notes', 'media/new', 'pinned']
      await shOk(`cd ${m.mnt} && sha256sum ${names.join(' ')} > ${source}/sums`)
      await m.unmount()

      const dry = await shmr(['tier', '-c', m.config.file, '--dry-run', '--json'])
      assert.equal(dry.exitCode, 0, dry.stderr)
      const plan = JSON.parse(dry.stdout).rules
      assert.deepEqual(Object.fromEntries(Object.entries(plan).map(([name, rule]) => [name, [(rule as {files: number}).files, (rule as {moving: number}).moving]])),
        {'pinned': [1, 1], 'scratch': [1, 0], 'old-and-big': [1, 1]}, 'notes is small, media/new is new: no rule takes them')
      assert.equal(fs.readdirSync(m.config.pools[1]!.drives[0]!.dir!, {recursive: true}).filter((f) => String(f).endsWith('.shard')).length, 0)

      const applied = await shmr(['tier', '-c', m.config.file, '--json'])
      assert.equal(applied.exitCode, 0, applied.stderr)
      const film = await topology(m, '/media/film')
      assert.equal(film.tierRule, 'old-and-big')
      assert.deepEqual(film.blocks.map((block) => block.topology), ['single', 'single', '4+2', '4+2', '4+2', '4+2'], 'first 512K (two 256K blocks) stay on the write pool')
      assert.deepEqual(film.blocks[0]!.shards.map((shard) => shard.drive), ['ssd0'])
      const pinned = await topology(m, '/pinned')
      assert.deepEqual([pinned.tierRule, pinned.blocks[0]!.topology], ['pinned', '3+2'])
      for (const file of ['/scratch/tmp', '/notes', '/media/new']) {
        assert.ok((await topology(m, file)).blocks.every((block) => block.topology === 'single'), `${file} stays on the write pool`)
      }
      const again = JSON.parse((await shmr(['tier', '-c', m.config.file, '--json'])).stdout)
      assert.equal(again.files.shifted, 0, 'nothing moves when nothing changed')

      await m.mount()
      await shOk(`cd ${m.mnt} && sha256sum -c ${source}/sums`)
      // Reads across the head boundary (512K) come back right.
      await shOk(`cmp <(dd if=${m.mnt}/media/film bs=1k skip=500 count=30 status=none) <(head -c ${1500 * KiB} ${m.mnt}/media/film | tail -c +$((500*1024+1)) | head -c $((30*1024)))`)
    })
  })
})
