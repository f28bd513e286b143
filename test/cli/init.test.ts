import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import {describe, it} from 'node:test'
import {DRIVE_IDENTITY_FILE, FORMAT_VERSION} from '../../src/lib/format/constants.js'
import {hasStackTrace, shmr} from '../helpers/cli.js'
import {tempDir} from '../helpers/tempDir.js'

describe('shmr init (CLI)', () => {
  it('--demo lays out the demo tree, initialises it and says what it created', async () => {
    const dir = path.join(tempDir(), 'demo')
    const result = await shmr(['init', '--demo', dir])
    assert.equal(result.exitCode, 0, result.stderr)
    for (const sub of ['shmr.yaml', 'meta/shmr.mdb', 'mnt', 'write/ssd0', ...[0, 1, 2, 3, 4, 5].map((i) => `archive/smr${i}/${DRIVE_IDENTITY_FILE}`)]) {
      assert.ok(fs.existsSync(path.join(dir, sub)), `${sub} exists`)
    }
    assert.match(result.stdout, new RegExp(`Created filesystem [0-9a-f-]{36} \\(format ${FORMAT_VERSION}, block size 1M\\)`))
    assert.match(result.stdout, /pool archive \(archive, 4\+2, 64M blocks/)
    assert.match(result.stdout, /smr5 +.*archive\/smr5/)
    assert.match(result.stdout, /Next: shmr mount -c .*shmr\.yaml/)
  })

  it('--json prints a machine-readable report', async () => {
    const dir = path.join(tempDir(), 'demo')
    const result = await shmr(['init', '--demo', dir, '--json'])
    assert.equal(result.exitCode, 0, result.stderr)
    const report = JSON.parse(result.stdout)
    assert.equal(report.formatVersion, FORMAT_VERSION)
    assert.equal(report.drives.length, 7)
    assert.deepEqual(report.drives[1], {id: 2, name: 'smr0', pool: 'archive', dir: path.join(dir, 'archive', 'smr0')})
  })

  it('refuses a second init with one line and exit code 3', async () => {
    const dir = path.join(tempDir(), 'demo')
    assert.equal((await shmr(['init', '--demo', dir])).exitCode, 0)
    const again = await shmr(['init', '--demo', dir])
    assert.equal(again.exitCode, 3)
    assert.match(again.stderr, /^shmr: a demo already exists in /)
    const viaConfig = await shmr(['init', '-c', path.join(dir, 'shmr.yaml')])
    assert.equal(viaConfig.exitCode, 3)
    assert.match(viaConfig.stderr, /^shmr: a filesystem already exists in .*meta\n/)
    assert.ok(!hasStackTrace(again.stderr + viaConfig.stderr))
  })

  it('reads the config from $SHMR_CONFIG when -c is absent', async () => {
    const dir = path.join(tempDir(), 'demo')
    assert.equal((await shmr(['init', '--demo', dir])).exitCode, 0)
    const result = await shmr(['init'], {env: {SHMR_CONFIG: path.join(dir, 'shmr.yaml')}, cwd: tempDir()})
    assert.equal(result.exitCode, 3, 'found the config, and refused to init over the existing filesystem')
    const none = await shmr(['init'], {cwd: tempDir(), env: {SHMR_CONFIG: ''}})
    assert.match(none.stderr, /config file .*shmr\.yaml does not exist/)
  })

  it('reports every config problem, one per line, with exit code 2 and no stack trace', async () => {
    const dir = tempDir()
    fs.writeFileSync(path.join(dir, 'bad.yaml'), 'metadata: meta\nmountpoint: mnt\nblockSize: 3M\ncolour: red\npools: []\n')
    const result = await shmr(['init', '-c', path.join(dir, 'bad.yaml')])
    assert.equal(result.exitCode, 2)
    const lines = result.stderr.trim().split('\n')
    assert.match(lines[0]!, /^shmr: config .*bad\.yaml has \d+ problems$/)
    assert.ok(lines.some((line) => /^ {2}colour: unknown key/.test(line)))
    assert.ok(lines.some((line) => /^ {2}blockSize: block size 3M must be a power of two/.test(line)))
    assert.ok(lines.some((line) => /^ {2}metadata: directory .*meta does not exist/.test(line)))
    assert.ok(!hasStackTrace(result.stderr))
  })

  it('puts errors in the JSON shape with --json', async () => {
    const result = await shmr(['init', '-c', path.join(tempDir(), 'missing.yaml'), '--json'])
    assert.equal(result.exitCode, 2)
    const {error} = JSON.parse(result.stdout)
    assert.equal(error.code, 'BAD_CONFIG')
    assert.equal(error.exit, 2)
    assert.match(error.message, /does not exist/)
  })
})
