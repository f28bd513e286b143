import assert from 'node:assert/strict'
import path from 'node:path'
import {describe, it} from 'node:test'
import {REPO_ROOT} from '../helpers/cli.js'
import {sh, shOk, withMount} from '../helpers/mounted.js'

const SCRIPT = path.join(REPO_ROOT, 'bench', 'fuseLatencies.py')

/** The rows of the report, as `operation -> requests`. */
function requestsByOperation(report: string): Map<string, number> {
  return new Map([...report.matchAll(/^(FUSE_\w+)\s+(\d+)\s/gm)].map((match) => [match[1]!, Number(match[2])]))
}

describe('bench/fuseLatencies.py', () => {
  it('reports the requests a command sent a mount, by operation and latency band, with the command\'s exit status', async () => {
    await withMount({}, async (m) => {
      await shOk(`mkdir ${m.mnt}/d && for i in 1 2 3 4 5; do echo $i > ${m.mnt}/d/f$i; done`)
      const report = await shOk(`python3 ${SCRIPT} -- cat ${m.mnt}/d/f1 ${m.mnt}/d/f2 ${m.mnt}/d/f3`)
      const byOperation = requestsByOperation(report)
      // Each cat of a file opens it and releases it (lookups may be cached from the writes).
      assert.equal(byOperation.get('FUSE_OPEN'), 3, report)
      assert.equal(byOperation.get('FUSE_RELEASE'), 3, report)
      const banded = [...report.matchAll(/(\d+) requests,/g)].reduce((sum, match) => sum + Number(match[1]), 0)
      assert.equal(banded, [...byOperation.values()].reduce((sum, count) => sum + count, 0), 'every request is in one band')
      const failed = await sh(`python3 ${SCRIPT} -- cat ${m.mnt}/d/none`)
      assert.equal(failed.exitCode, 1, 'the command\'s own status')
      assert.match(failed.stdout, /FUSE_LOOKUP/)
      assert.equal((await sh(`python3 ${SCRIPT} cat ${m.mnt}/d/f1`)).exitCode, 1, 'no -- before the command: usage')
    })
  })
})
