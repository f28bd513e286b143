import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import {describe, it} from 'node:test'
import {execa} from 'execa'
import {REPO_ROOT, hasStackTrace} from '../helpers/cli.js'
import {tempDir} from '../helpers/tempDir.js'

// The bench's smoke run, as CI may use it: what it measures is not checked (no timing in tests),
// only that it runs every section and leaves nothing behind, finished or interrupted.
const BENCH = path.join(REPO_ROOT, 'dist', 'bench', 'bench.js')

const benchSourceDirs = (): string[] => fs.readdirSync('/dev/shm').filter((name) => name.startsWith('shmr-bench-'))

/** Processes whose command line names `dir`: the bench's mount servers and passthrough. */
function processesIn(dir: string): string[] {
  return fs.readdirSync('/proc').filter((pid) => /^\d+$/.test(pid)).flatMap((pid) => {
    try {
      const command = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ')
      return command.includes(dir) ? [`${pid}: ${command}`] : []
    } catch {
      return [] // exited meanwhile
    }
  })
}

/** Runs the bench with its temporary files in a directory of the test's own. */
function startBench(args: readonly string[]): {tmp: string; run: ReturnType<typeof execa>; shmBefore: Set<string>} {
  const tmp = tempDir('shmr-bench-test-')
  const shmBefore = new Set(benchSourceDirs())
  const run = execa(process.execPath, [BENCH, ...args], {env: {TMPDIR: tmp}, reject: false, stdin: 'ignore'})
  return {tmp, run, shmBefore}
}

/** Resolves once the bench has printed `pattern` on stderr (its figures, as they come). */
function untilPrinted(run: ReturnType<typeof execa>, pattern: RegExp): Promise<void> {
  return new Promise((resolve) => {
    let seen = ''
    run.stderr!.on('data', (chunk: Buffer) => {
      seen += chunk.toString()
      if (pattern.test(seen)) resolve()
    })
  })
}

async function assertNothingLeft(tmp: string, shmBefore: Set<string>, keep: readonly string[] = []): Promise<void> {
  assert.deepEqual(fs.readFileSync('/proc/mounts', 'utf8').split('\n').filter((line) => line.includes(tmp)), [], 'no mount left')
  assert.deepEqual(fs.readdirSync(tmp).filter((name) => !keep.includes(name)), [], 'no temporary file left')
  assert.deepEqual(benchSourceDirs().filter((name) => !shmBefore.has(name)), [], 'no source file left in /dev/shm')
  // A stopped server releases its lock (what the bench waits for) a moment before its process ends.
  for (let i = 0; i < 100 && processesIn(tmp).length > 0; i++) await new Promise((resolve) => setTimeout(resolve, 100))
  assert.deepEqual(processesIn(tmp), [], 'no process of the bench left')
}

describe('npm run bench', () => {
  it('--quick runs every section, writes --json and leaves nothing behind', async () => {
    const jsonFile = path.join(tempDir(), 'bench.json')
    const {tmp, run, shmBefore} = startBench(['--quick', '--json', jsonFile])
    const result = await run
    assert.equal(result.exitCode, 0, String(result.stderr))
    const report = JSON.parse(fs.readFileSync(jsonFile, 'utf8')) as {sizeBytes: number; results: Record<string, {median: number}>; targets: Array<{what: string}>}
    assert.equal(report.sizeBytes, 128 * 1024 * 1024)
    for (const figure of ['raw write', 'raw cold read', 'passthrough write', 'passthrough cold read', 'shmr write', 'shmr cold read',
      'shmr 4K random read, QD1', 'mergerfs 4K random read, QD16', 'shmr random 64K rewrites', 'raw random 64K rewrites', 'shmr pool bytes per live byte',
      'raw tree untar + sync', 'shmr tree rm -rf + sync', 'shmr create empty', 'raw create 4K', 'shmr shift', 'shmr decode', 'shmr decode, 2 shards lost', 'recover 500 files, cold', 'decode --tree 500 files, cold', 'shift inside the mount', 'cold read beside a 100M/s shift', 'codec 4+2 encode, 1 core', 'codec 8+3 encode, 1 core']) {
      assert.ok(report.results[figure]!.median > 0, `${figure} was measured`)
    }
    assert.match(String(result.stdout), /^targets:$/m)
    assert.ok(report.targets.some((target) => target.what === 'mount peak RSS, 128M write and read'), 'the RSS target names the size written')
    await assertNothingLeft(tmp, shmBefore)
  })

  it('on Ctrl-C (SIGINT) unmounts, stops and removes everything it made, and exits 130', async () => {
    const {tmp, run, shmBefore} = startBench(['--quick', '--only', 'raw,passthrough,shmr'])
    // Interrupted in the middle: the passthrough and shmr are mounted, the source is in /dev/shm.
    await untilPrinted(run, /shmr write:/)
    assert.ok(fs.readFileSync('/proc/mounts', 'utf8').includes(tmp), 'the bench had mounts up when interrupted')
    run.kill('SIGINT')
    const result = await run
    assert.equal(result.exitCode, 130, String(result.stderr))
    await assertNothingLeft(tmp, shmBefore)
  })

  it('when a subject dies under it, says so in one line, exits 1 and still leaves no mount behind', async () => {
    const {tmp, run, shmBefore} = startBench(['--quick', '--only', 'raw,shmr'])
    await untilPrinted(run, /shmr write:/)
    // The shmr server dies: its mount stays listed, dead, and `shmr umount` cannot take it down.
    const server = processesIn(tmp).find((line) => / mount -c /.test(line))
    assert.ok(server, 'the bench mounted shmr')
    process.kill(Number(server.split(':')[0]), 'SIGKILL')
    const result = await run
    assert.equal(result.exitCode, 1)
    assert.match(String(result.stderr), /^bench: failed: .+$/m)
    assert.ok(!hasStackTrace(String(result.stderr)))
    await assertNothingLeft(tmp, shmBefore)
  })

  it('refuses an unknown section with one line and exit status 2, before making anything', async () => {
    const {tmp, run, shmBefore} = startBench(['--only', 'shmr,disks'])
    const result = await run
    assert.equal(result.exitCode, 2)
    assert.equal(String(result.stderr), 'bench: --only takes raw, mergerfs, passthrough, shmr, tree, rewrites, archive, online, recovery, objectstore, codec; got disks')
    assert.ok(!hasStackTrace(String(result.stderr)))
    await assertNothingLeft(tmp, shmBefore)
  })
})
