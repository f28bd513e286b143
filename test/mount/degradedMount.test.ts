import assert from 'node:assert/strict'
import fs from 'node:fs'
import {describe, it} from 'node:test'
import YAML from 'yaml'
import type {StatusReport} from '../../src/lib/control/serverStatus.js'
import {shmr} from '../helpers/cli.js'
import {sh, shOk, withMount, type MountedFs} from '../helpers/mounted.js'
import {tempDir} from '../helpers/tempDir.js'

const MiB = 1024 * 1024

async function mountOutput(m: MountedFs): Promise<string> {
  const mounted = await shmr(['mount', '-c', m.config.file, '--background'])
  assert.equal(mounted.exitCode, 0, mounted.stderr)
  return mounted.stdout
}

describe('archive drives missing at mount (4+2)', () => {
  it('mounts degraded with up to two gone, every file reads; with three, names the files that cannot be read; with them back, healthy', {timeout: 180_000}, async () => {
    await withMount({blockSizeBytes: 256 * 1024, archiveBlockSizeBytes: MiB}, async (m) => {
      const ref = tempDir()
      await shOk(`for f in a b c; do head -c ${3 * MiB} /dev/urandom > ${ref}/$f; done && echo small > ${ref}/d && cp ${ref}/* ${m.mnt}/`)
      await m.unmount()
      const shifted = await shmr(['shift', '-c', m.config.file, '-r', '/'])
      assert.equal(shifted.exitCode, 0, shifted.stderr)
      const drives = m.config.pools[1]!.drives.map((drive) => drive.dir!)
      const away = (i: number): void => fs.renameSync(drives[i]!, `${drives[i]}.away`)
      const back = (i: number): void => fs.renameSync(`${drives[i]}.away`, drives[i]!)
      const same = async (): Promise<string> => (await sh(`cd ${ref} && for f in *; do cmp -s $f ${m.mnt}/$f && echo "$f ok" || echo "$f BAD"; done`)).stdout

      away(0)
      let out = await mountOutput(m)
      assert.match(out, /^drive smr0: directory .*smr0 does not exist: served degraded, its shards rebuilt from the other drives$/m)
      assert.equal(await same(), 'a ok\nb ok\nc ok\nd ok')
      const status = JSON.parse((await shmr(['status', '-c', m.config.file, '--json'])).stdout) as StatusReport
      assert.ok(status.mounted)
      assert.deepEqual(status.degraded?.drives.map((drive) => drive.name), ['smr0'])
      assert.equal(status.degraded?.unreadableFiles, 0)
      await m.unmount()

      // Another drive's directory where smr1 belongs is as unusable as none.
      fs.renameSync(drives[1]!, `${drives[1]}.away`)
      fs.mkdirSync(drives[1]!)
      fs.writeFileSync(`${drives[1]}/.shmr-drive.json`, JSON.stringify({filesystemUuid: 'another', driveId: 9, driveName: 'x', pool: 'archive', formatVersion: 5}))
      out = await mountOutput(m)
      assert.match(out, /^drive smr1: .* belongs to another filesystem .*: served degraded/m)
      assert.equal(await same(), 'a ok\nb ok\nc ok\nd ok')
      await m.unmount()
      fs.rmSync(drives[1]!, {recursive: true})
      back(1)

      away(1)
      away(2)
      out = await mountOutput(m)
      assert.match(out, /^4 file\(s\) cannot be read with 3 drive\(s\) gone: \/a, \/b, \/c, \/d \(shmr inspect files/m)
      const read = await sh(`cat ${m.mnt}/a > /dev/null`)
      assert.notEqual(read.exitCode, 0, 'a file past parity answers an error, never wrong bytes')
      await m.unmount()

      const config = YAML.parse(fs.readFileSync(m.config.file, 'utf8')) as {mount?: Record<string, unknown>}
      fs.writeFileSync(m.config.file, YAML.stringify({...config, mount: {...config.mount, refuseUnreadable: true}}))
      const refused = await shmr(['mount', '-c', m.config.file, '--background'])
      assert.equal(refused.exitCode, 4)
      assert.match(refused.stderr, /^shmr: 4 file\(s\) cannot be read with 3 drive\(s\) gone/)
      for (const i of [0, 1, 2]) back(i)
      out = await mountOutput(m)
      assert.doesNotMatch(out, /degraded|cannot be read/)
      assert.equal(await same(), 'a ok\nb ok\nc ok\nd ok')
      await m.unmount()
      const verified = await shmr(['verify', '-c', m.config.file])
      assert.equal(verified.exitCode, 0, verified.stdout + verified.stderr)
      await m.mount()
    })
  })
})
