import assert from 'node:assert/strict'
import type {VerifyReport} from '../../src/lib/verify/runVerify.js'
import {shmr} from './cli.js'
import type {MountedFs} from './mounted.js'

/** `shmr verify` of the whole filesystem (mounted or not) must exit 0 and find every file ok. */
export async function verifyClean(m: Pick<MountedFs, 'config'>): Promise<void> {
  const verified = await shmr(['verify', '-c', m.config.file, '--json'])
  assert.equal(verified.exitCode, 0, verified.stdout + verified.stderr)
  const report = JSON.parse(verified.stdout) as VerifyReport
  assert.equal(report.summary.ok, report.summary.files, JSON.stringify(report.files.filter((file) => file.status !== 'ok')))
}
