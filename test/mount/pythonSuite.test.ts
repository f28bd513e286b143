import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {describe, it} from 'node:test'
import {execa} from 'execa'
import {tempDir} from '../helpers/tempDir.js'
import {shmr} from '../helpers/cli.js'
import {sh, shOk, withMount, type MountedFs} from '../helpers/mounted.js'

/**
 * A conformance suite written by others: CPython's own tests of its os, posix, io and file
 * modules (Debian's libpython3.X-testsuite, which scripts/test.sh installs). pjdfstest and
 * xfstests are not in Debian's archive. These tests make, rename, link, chmod, lock, map, copy
 * (sendfile, copy_file_range), seek holes in and set xattrs and nanosecond times of files in
 * their working directory, and check what the kernel answers. Each suite runs in a directory
 * of the plain disk and in a shmr mount: whatever passes on ext4 must pass on shmr.
 */
const PYTHON = '/usr/bin/python3' // Debian's, whose test package is installed (not a pyenv's)

/** The file system's share of CPython's suites, run as root. */
const SUITES = [
  'test_os', 'test_posix', 'test_shutil', 'test_fileio', 'test_fcntl', 'test_mmap', 'test_stat', 'test_tempfile',
  'test_glob', 'test_pathlib', 'test_genericpath', 'test_posixpath', 'test_tarfile', 'test_zipfile', 'test_filecmp',
  'test_dbm_dumb', 'test_io', 'test_fileinput', 'test_shelve', 'test_mailbox', 'test_import', 'test_compileall',
  'test_py_compile', 'test_zipimport', 'test_largefile', 'test_linecache', 'test_zipapp',
]
/** Those whose permission checks root bypasses, again as the unprivileged user nobody. */
const UNPRIVILEGED_SUITES = ['test_os', 'test_posix', 'test_shutil', 'test_tempfile', 'test_pathlib', 'test_mailbox']
/** Those that write, read back, map and rewrite most, again while shifts run inside the server. */
const BESIDE_SHIFT_SUITES = ['test_os', 'test_shutil', 'test_fileio', 'test_io', 'test_mmap', 'test_tarfile', 'test_zipfile', 'test_mailbox', 'test_largefile']

type Outcome = 'passed' | 'skipped' | 'failure' | 'error'

/** Each test case's outcome from regrtest's JUnit report (Python reads its own XML). */
const READ_REPORT = `
import json, sys, xml.etree.ElementTree as ET
outcomes = {}
for case in ET.parse(sys.argv[1]).iter('testcase'):
    outcome = 'passed'
    for child in case:
        if child.tag in ('skipped', 'failure', 'error'): outcome = child.tag
    outcomes[case.get('name')] = outcome
print(json.dumps(outcomes))
`

interface SuiteRun {
  readonly outcomes: Map<string, Outcome>
  /** regrtest's output, with the output of each failed case (-W). */
  readonly log: string
}

/** Runs `suites` with `dir` as working and temporary directory. */
async function runSuites(dir: string, suites: string[], asNobody: boolean): Promise<SuiteRun> {
  const report = path.join(dir, 'report.xml')
  const user = asNobody ? 'setpriv --reuid=65534 --regid=65534 --clear-groups ' : ''
  // Failures are expected in both runs (some of Debian's own, and any of shmr's): the report says which.
  const run = await sh(`cd ${dir} && HOME=${dir} TMPDIR=${dir} ${user}${PYTHON} -m test -W --tempdir ${dir}/work --junit-xml ${report} ${suites.join(' ')}`)
  assert.ok(fs.existsSync(report), `no report from CPython's tests in ${dir}:\n${run.stdout.slice(-3000)}\n${run.stderr.slice(-3000)}`)
  const outcomes = JSON.parse((await execa(PYTHON, ['-c', READ_REPORT, report])).stdout) as Record<string, Outcome>
  return {outcomes: new Map(Object.entries(outcomes)), log: `${run.stdout}\n${run.stderr}`}
}

/** A new directory every user can write in, on a path every user can reach (mkdtemp makes 0700). */
function openDir(dir: string): string {
  fs.mkdirSync(dir)
  fs.chmodSync(dir, 0o1777)
  for (let at = path.dirname(dir); at.startsWith(`${os.tmpdir()}/`); at = path.dirname(at)) {
    fs.chmodSync(at, (fs.statSync(at).mode & 0o7777) | 0o755)
  }
  return dir
}

/** What ran beside the suite on shmr: each run of `shmr shift` that failed, and what the others moved. */
interface Beside {
  readonly failures: string[]
  filesShifted: number
}

/**
 * Shifts every file to the archive pool, inside the server, over and over until `suite` ends:
 * files move while the suite writes, reads, maps, truncates and deletes them.
 */
async function shiftUntil(m: MountedFs, suite: Promise<unknown>, beside: Beside): Promise<void> {
  let ended = false
  const stop = (): void => { ended = true }
  suite.then(stop, stop)
  while (!ended) {
    const run = await shmr(['shift', '-c', m.config.file, '-r', '/', '--json'])
    if (run.exitCode !== 0) beside.failures.push(`exit ${run.exitCode}: ${run.stdout}${run.stderr}`)
    else beside.filesShifted += (JSON.parse(run.stdout) as {files: {shifted: number}}).files.shifted
  }
}

async function assertSameAsExt4(suites: string[], options: {asNobody: boolean; besideShifts?: boolean}): Promise<void> {
  assert.ok(fs.existsSync(PYTHON), `${PYTHON} is missing: scripts/test.sh installs Debian's python3 and its test suite`)
  const suiteDir = (await shOk(`${PYTHON} -c 'import os, test; print(os.path.dirname(test.__file__))'`)).trim()
  assert.ok(fs.existsSync(path.join(suiteDir, 'test_os.py')), `CPython's tests are not installed in ${suiteDir}: scripts/test.sh installs them (libpython3.X-testsuite)`)
  const {outcomes: onDisk} = await runSuites(openDir(path.join(tempDir(), 'plain')), suites, options.asNobody)
  // Small archive blocks under the shifts: files of a few hundred KiB are several blocks there.
  await withMount({blockSizeBytes: options.besideShifts ? 65536 : 1024 * 1024, archiveBlockSizeBytes: 131072}, async (m) => {
    const suite = runSuites(openDir(path.join(m.mnt, 'py')), suites, options.asNobody)
    const beside: Beside = {failures: [], filesShifted: 0}
    if (options.besideShifts) await shiftUntil(m, suite, beside)
    const {outcomes: onShmr, log} = await suite
    const passedOnDisk = [...onDisk].filter(([, outcome]) => outcome === 'passed').map(([name]) => name)
    // Proof that it ran: thousands of cases, the same ones in both places.
    assert.ok(passedOnDisk.length > 1000, `only ${passedOnDisk.length} cases passed on the plain disk`)
    assert.deepEqual([...onShmr.keys()].sort(), [...onDisk.keys()].sort(), 'the same test cases ran in both places')
    const failedOnShmr = passedOnDisk.filter((name) => onShmr.get(name) !== 'passed').map((name) => `${name}: ${onShmr.get(name)}`)
    assert.deepEqual(failedOnShmr, [], `cases that pass on the plain disk and not on shmr; the run on shmr:\n${log.slice(-20000)}`)
    if (options.besideShifts) {
      assert.deepEqual(beside.failures, [], 'every shift beside the suite succeeded')
      assert.ok(beside.filesShifted > 0, 'the shifts moved files while the suite ran')
      const verified = await shmr(['verify', '-c', m.config.file, '--json'])
      assert.equal(verified.exitCode, 0, `verify after the suite and the shifts: ${verified.stdout}${verified.stderr}`)
    }
  })
}

describe('CPython\'s tests of files and directories, on the plain disk and on shmr', () => {
  it('passes on shmr every case that passes on ext4, as root', async () => {
    await assertSameAsExt4(SUITES, {asNobody: false})
  })

  it('passes on shmr every case that passes on ext4, as an unprivileged user', async () => {
    await assertSameAsExt4(UNPRIVILEGED_SUITES, {asNobody: true})
  })

  it('passes them while shifts run inside the server, moving the files the suite works on', async () => {
    await assertSameAsExt4(BESIDE_SHIFT_SUITES, {asNobody: false, besideShifts: true})
  })
})
