import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import {describe, it} from 'node:test'
import {execa} from 'execa'
import {initFilesystem} from '../../src/lib/init/initFilesystem.js'
import {ExclusiveLock} from '../../src/lib/meta/exclusiveLock.js'
import {REPO_ROOT} from '../helpers/cli.js'
import {fixtureConfig} from '../helpers/fixtureFs.js'
import {sh, shOk} from '../helpers/mounted.js'
import {tempDir} from '../helpers/tempDir.js'

const isMounted = (mnt: string): boolean => fs.readFileSync('/proc/mounts', 'utf8').split('\n').some((line) => line.split(' ')[1] === mnt && line.split(' ')[2] === 'fuse.shmr')

async function waitUntil(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 300 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 100))
  assert.ok(condition(), `timed out waiting until ${what}`)
}

describe('mount(8), fstab and systemd', () => {
  it('mounts with mount -t fuse.shmr and from an fstab line, unmounts with umount(8) keeping what was written, and refuses an unknown option', async () => {
    assert.ok(fs.existsSync('/sbin/mount.fuse.shmr'), 'scripts/install.sh links mount(8)\'s helper as /sbin/mount.fuse.shmr')
    const config = fixtureConfig(tempDir())
    await initFilesystem(config)
    const mnt = config.mountpoint
    const stopped = (): boolean => ExclusiveLock.holder(config.metadataDir) === undefined
    try {
      await shOk(`mount -t fuse.shmr ${config.file} ${mnt}`)
      assert.ok(isMounted(mnt), 'mounted as fuse.shmr')
      await shOk(`echo kept > ${mnt}/f`)
      await shOk(`umount ${mnt}`)
      await waitUntil(stopped, 'the server wrote everything out and stopped')

      const fstab = path.join(tempDir(), 'fstab')
      fs.writeFileSync(fstab, `# as in /etc/fstab\n${config.file}  ${mnt}  fuse.shmr  defaults,nofail,x-systemd.requires-mounts-for=${path.dirname(mnt)}  0 0\n`)
      await shOk(`mount -T ${fstab} ${mnt}`)
      assert.equal(await shOk(`cat ${mnt}/f`), 'kept')
      await shOk(`umount ${mnt}`)
      await waitUntil(stopped, 'the server stopped again')

      const refused = await sh(`mount -t fuse.shmr -o rw,bogus ${config.file} ${mnt}`)
      assert.notEqual(refused.exitCode, 0)
      assert.match(refused.stderr, /mount\.fuse\.shmr: unknown option bogus/)
      assert.ok(!isMounted(mnt), 'nothing mounted')
    } finally {
      if (isMounted(mnt)) await execa('umount', [mnt], {reject: false})
      await waitUntil(stopped, 'the server stopped')
    }
  })

  it('ships a systemd unit that systemd-analyze verify accepts', async (t) => {
    if ((await sh('command -v systemd-analyze')).exitCode !== 0) return t.skip('systemd-analyze is not installed here')
    const unit = path.join(REPO_ROOT, 'packaging', 'systemd', 'shmr@.service')
    const verified = await sh(`systemd-analyze verify ${unit}`)
    assert.equal(verified.exitCode, 0, verified.stderr)
    assert.equal(verified.stderr, '', 'no warnings')
  })
})
