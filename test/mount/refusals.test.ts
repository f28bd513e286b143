import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import {describe, it} from 'node:test'
import {DRIVE_IDENTITY_FILE} from '../../src/lib/format/constants.js'
import {initFilesystem} from '../../src/lib/init/initFilesystem.js'
import {hasStackTrace, shmr} from '../helpers/cli.js'
import {fixtureConfig} from '../helpers/fixtureFs.js'
import {sh, withMount} from '../helpers/mounted.js'
import {tempDir} from '../helpers/tempDir.js'

async function freshFs() {
  const config = fixtureConfig(tempDir())
  await initFilesystem(config)
  return config
}

/** Mount must fail with this exit code and a message matching `pattern` (first line, or a detail line), leaving nothing mounted. */
async function refuses(args: string[], exitCode: number, pattern: RegExp, mountpoint: string): Promise<void> {
  const result = await shmr(['mount', ...args])
  assert.equal(result.exitCode, exitCode, `${result.stdout}\n${result.stderr}`)
  assert.match(result.stderr, /^shmr: /)
  assert.ok(result.stderr.split('\n').some((line) => pattern.test(line)), `no line matches ${pattern}:\n${result.stderr}`)
  assert.ok(!hasStackTrace(result.stderr), result.stderr)
  assert.ok(!fs.readFileSync('/proc/self/mountinfo', 'utf8').includes(` ${mountpoint} `), 'nothing left mounted')
}

describe('mount refuses', () => {
  it('a second mount of a mounted filesystem, and shift-style offline use while mounted', async () => {
    await withMount({}, async (m) => {
      const other = tempDir()
      await refuses(['-c', m.config.file, other, '--background'], 3, /is mounted at .*mnt \(PID \d+/, other)
      await refuses(['-c', m.config.file, other], 3, /is mounted at/, other)
    })
  })

  it('a mount point that is not an empty directory, or does not exist', async () => {
    const config = await freshFs()
    fs.writeFileSync(path.join(config.mountpoint, 'stray'), 'x')
    await refuses(['-c', config.file], 3, /mount point .*mnt is not empty \(holds stray\)/, config.mountpoint)
    await refuses(['-c', config.file, path.join(tempDir(), 'absent')], 2, /mount point .*absent does not exist/, config.mountpoint)
  })

  it('a missing write pool drive directory, naming it (a missing archive drive is served degraded: degradedMount.test)', async () => {
    const config = await freshFs()
    fs.rmSync(config.pools[0]!.drives[0]!.dir!, {recursive: true})
    await refuses(['-c', config.file], 4, /drive ssd0: directory .* does not exist/, config.mountpoint)
  })

  it('a write pool drive directory of another filesystem, naming it', async () => {
    const config = await freshFs()
    const other = await freshFs()
    const ssd0 = config.pools[0]!.drives[0]!.dir!
    fs.copyFileSync(path.join(other.pools[0]!.drives[0]!.dir!, DRIVE_IDENTITY_FILE), path.join(ssd0, DRIVE_IDENTITY_FILE))
    await refuses(['-c', config.file], 4, /drive ssd0: .* belongs to another filesystem/, config.mountpoint)
  })

  it('archive drives mounted at each other\'s paths are left out, each named, and served degraded', async () => {
    const config = await freshFs()
    const [a, b] = [config.pools[1]!.drives[0]!.dir!, config.pools[1]!.drives[1]!.dir!]
    const swap = path.join(tempDir(), 'swap')
    fs.renameSync(a, swap)
    fs.renameSync(b, a)
    fs.renameSync(swap, b)
    const mounted = await shmr(['mount', '-c', config.file, '--background'])
    try {
      assert.equal(mounted.exitCode, 0, mounted.stderr)
      assert.match(mounted.stdout, /^drive smr0: .* holds drive smr1 of this filesystem .*: served degraded/m)
      assert.match(mounted.stdout, /^drive smr1: .* holds drive smr0 of this filesystem .*: served degraded/m)
    } finally {
      await shmr(['umount', '-c', config.file])
    }
  })

  it('when FUSE is unusable, saying what to install', async (t) => {
    if ((await sh('unshare -m true')).exitCode !== 0) return t.skip('unshare -m is not permitted here, so a machine without FUSE cannot be simulated')
    const config = await freshFs()
    const cli = `${process.execPath} ${path.resolve('bin/run.js')} mount -c ${config.file}`
    // A private mount namespace: what this machine looks like without /dev/fuse, or without libfuse 3.
    const noDevice = await sh(`unshare -m bash -c 'mount -t tmpfs none /dev && ${cli}'`)
    assert.equal(noDevice.exitCode, 3, noDevice.stderr)
    assert.match(noDevice.stderr, /^shmr: FUSE is not available: \/dev\/fuse does not exist\nhint: load the fuse kernel module/)
    const addon = path.resolve('native/fuse/build/Release/fuse.node')
    const library = (await sh(`ldd ${addon} | awk '/libfuse3/ {print $3}'`)).stdout.trim()
    assert.ok(library, 'the FUSE addon links libfuse 3')
    const noLibrary = await sh(`unshare -m bash -c 'mount --bind /dev/null ${library} && ${cli}'`)
    assert.equal(noLibrary.exitCode, 3, noLibrary.stderr)
    assert.match(noLibrary.stderr, /^shmr: FUSE is not available: .*libfuse3\.so.*\nhint: install Debian's fuse3 package/)
    assert.ok(!hasStackTrace(noDevice.stderr + noLibrary.stderr))
  })
})
