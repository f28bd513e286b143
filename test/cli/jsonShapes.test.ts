import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import {describe, it} from 'node:test'
import {REPO_ROOT, shmr} from '../helpers/cli.js'
import {shOk, withMount} from '../helpers/mounted.js'
import {tempDir} from '../helpers/tempDir.js'

/**
 * The shape of every command's --json output (keys and value types, not values) is part of the
 * CLI's interface (docs/CLI_ABI.md): it changes only on purpose. After such a change, rewrite the
 * snapshot with `SHMR_UPDATE_SHAPES=1 node --test dist/test/cli/jsonShapes.test.js` and commit
 * it with the docs.
 */
const SNAPSHOT = path.join(REPO_ROOT, 'test', 'fixtures', 'json-shapes.json')

/** Objects keyed by data (drive, pool, scheme, rule or label names): one entry stands for all. */
const KEYED_BY_DATA = new Set(['bytesWrittenByDrive', 'byTopology', 'byPool', 'rules', 'labels'])

type Shape = string | {readonly [key: string]: Shape} | readonly Shape[]

function shapeOf(value: unknown, key = ''): Shape {
  if (value === null) return 'null'
  if (Array.isArray(value)) return value.length === 0 ? [] : [value.map((item) => shapeOf(item)).reduce(merge)]
  if (typeof value !== 'object') return typeof value
  const entries = Object.entries(value as Record<string, unknown>)
  if (KEYED_BY_DATA.has(key)) return {'<name>': entries.map(([k, v]) => shapeOf(v, k)).reduce(merge, 'empty' as Shape)}
  return Object.fromEntries(entries.map(([k, v]) => [k, shapeOf(v, k)]).sort(([a], [b]) => String(a).localeCompare(String(b))))
}

/** Two shapes seen for one place: objects merge key by key (a key one lacks is marked `?`), else a union. */
function merge(a: Shape, b: Shape): Shape {
  if (a === 'empty') return b
  if (b === 'empty') return a
  if (isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)].map((key) => key.replace(/\?$/, '')))].sort()
    return Object.fromEntries(keys.map((key) => {
      const [inA, inB] = [a[key] ?? a[`${key}?`], b[key] ?? b[`${key}?`]]
      if (inA === undefined || inB === undefined || `${key}?` in a || `${key}?` in b) return [`${key}?`, merge(inA ?? 'empty', inB ?? 'empty')]
      return [key, merge(inA, inB)]
    }))
  }
  if (Array.isArray(a) && Array.isArray(b)) return a.length === 0 ? b : b.length === 0 ? a : [merge(a[0]!, b[0]!)]
  const union = new Set([...String(a).split('|'), ...String(b).split('|')])
  return typeof a === 'string' && typeof b === 'string' ? [...union].sort().join('|') : `${JSON.stringify(a)}|${JSON.stringify(b)}`
}

function isObject(shape: Shape): shape is {readonly [key: string]: Shape} {
  return typeof shape === 'object' && !Array.isArray(shape)
}

async function json(args: readonly string[], exitCode = 0): Promise<unknown> {
  const result = await shmr([...args, '--json'])
  assert.equal(result.exitCode, exitCode, `shmr ${args.join(' ')}: ${result.stderr}`)
  return JSON.parse(result.stdout)
}

const KiB = 1024

describe('--json shapes', () => {
  it('match the snapshot for every command, errors included', async () => {
    const shapes: Record<string, Shape> = {}
    const root = tempDir()
    shapes['init'] = shapeOf(await json(['init', '--demo', `${root}/demo`]))
    await withMount({blockSizeBytes: 64 * KiB, archiveBlockSizeBytes: 256 * KiB}, async (m) => {
      fs.appendFileSync(m.config.file, 'tiers:\n  - name: old\n    match: {olderThan: 7d}\n    action: {pool: archive, head: 256K}\n')
      await shOk(`cd ${m.mnt} && head -c ${700 * KiB} /dev/urandom > a && head -c ${300 * KiB} /dev/urandom > b && touch -d 2020-01-01 b`)
      const c = ['-c', m.config.file]
      // The mount writes its metrics every few seconds: overview carries them once there are some.
      const metrics = path.join(m.config.metadataDir, 'metrics.prom')
      for (let i = 0; i < 200 && !fs.existsSync(metrics); i++) await new Promise((resolve) => setTimeout(resolve, 50))
      shapes['inspect overview (mounted)'] = shapeOf(await json(['inspect', 'overview', ...c]))
      shapes['status (mounted)'] = shapeOf(await json(['status', ...c]))
      shapes['flush'] = shapeOf(await json(['flush', ...c]))
      shapes['umount'] = shapeOf(await json(['umount', ...c]))
      shapes['status'] = shapeOf(await json(['status', ...c]))
      await m.mount()
      await m.unmount()
      shapes['shift --dry-run'] = shapeOf(await json(['shift', ...c, '/a', '--dry-run']))
      shapes['shift'] = shapeOf(await json(['shift', ...c, '/a']))
      shapes['tier'] = shapeOf(await json(['tier', ...c]))
      shapes['rewrite'] = shapeOf(await json(['rewrite', ...c, '/a', '--block-size', '512K']))
      shapes['inspect overview'] = shapeOf(await json(['inspect', 'overview', ...c]))
      shapes['inspect topology'] = shapeOf(await json(['inspect', 'topology', ...c, '/a']))
      shapes['inspect files'] = shapeOf(await json(['inspect', 'files', ...c]))
      fs.rmSync(path.join(m.config.pools[1]!.drives[0]!.dir!), {recursive: true})
      fs.mkdirSync(path.join(m.config.pools[1]!.drives[0]!.dir!))
      shapes['verify (degraded)'] = shapeOf(await json(['verify', ...c], 8))
      shapes['verify --repair'] = shapeOf(await json(['verify', ...c, '--repair']))
      shapes['gc'] = shapeOf(await json(['gc', ...c, '--grace', '0s']))
      fs.mkdirSync(`${root}/newdrive`)
      shapes['drive add'] = shapeOf(await json(['drive', 'add', ...c, 'archive', 'smr9', `${root}/newdrive`]))
      const drives = m.config.pools[1]!.drives.map((drive) => drive.dir!)
      shapes['decode --list'] = shapeOf(await json(['decode', '--list', ...drives]))
      shapes['decode -o'] = shapeOf(await json(['decode', ...drives, '--file', '2', '-o', `${root}/a`]))
      shapes['decode --tree'] = shapeOf(await json(['decode', '--tree', `${root}/tree`, ...drives, m.config.pools[0]!.drives[0]!.dir!]))
      shapes['backup-meta'] = shapeOf(await json(['backup-meta', ...c]))
      shapes['backup-meta -o'] = shapeOf(await json(['backup-meta', ...c, '-o', `${root}/meta.snapshot`]))
      shapes['recover --dry-run'] = shapeOf(await json(['recover', ...c, '--dry-run', '--force']))
      shapes['recover'] = shapeOf(await json(['recover', ...c, '--force']))
      shapes['error (bad flag)'] = shapeOf(await json(['inspect', 'overview', ...c, '--bogus'], 2))
      shapes['error (state)'] = shapeOf(await json(['init', '--demo', `${root}/demo`], 3))
    })
    if (process.env.SHMR_UPDATE_SHAPES) fs.writeFileSync(SNAPSHOT, `${JSON.stringify(shapes, null, 2)}\n`)
    assert.deepEqual(shapes, JSON.parse(fs.readFileSync(SNAPSHOT, 'utf8')),
      'a --json shape changed: if on purpose, update docs/CLI_ABI.md and the snapshot (see the top of this test)')
  })
})
