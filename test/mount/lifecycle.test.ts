import assert from 'node:assert/strict'
import fs from 'node:fs'
import {describe, it} from 'node:test'
import {formatConfig} from '../../src/lib/config/formatConfig.js'
import {ExclusiveLock} from '../../src/lib/meta/exclusiveLock.js'
import {SHMR_BIN, shmr} from '../helpers/cli.js'
import {sh, shOk, withMount} from '../helpers/mounted.js'
import {tempDir} from '../helpers/tempDir.js'

async function waitUntil(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (condition()) return
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  assert.fail(`timed out waiting until ${what}`)
}

describe('mount lifecycle', () => {
  it('stops cleanly when unmounted from outside with fusermount3 -u, keeping what was written', async () => {
    await withMount({blockSizeBytes: 65536}, async (m) => {
      const source = tempDir()
      await shOk(`head -c 1000000 /dev/urandom > ${source}/data && cp ${source}/data ${m.mnt}/data`)
      const pid = m.pid()
      await shOk(`fusermount3 -u ${m.mnt}`)
      await waitUntil(() => ExclusiveLock.holder(m.config.metadataDir) === undefined, 'the server released its lock')
      await waitUntil(() => !fs.existsSync(`/proc/${pid}`) || fs.readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z '), 'the server exited')
      assert.match(fs.readFileSync(`${m.config.metadataDir}/mount.log`, 'utf8'), /stopping \(unmounted from outside\)/)
      const again = await shmr(['mount', '-c', m.config.file, '--background'])
      assert.equal(again.exitCode, 0, again.stderr)
      assert.equal(await shOk(`cmp ${source}/data ${m.mnt}/data && echo same`), 'same')
    })
  })

  it('unmounts with shmr umount while a drive directory is gone', async () => {
    await withMount({blockSizeBytes: 65536}, async (m) => {
      await shOk(`echo kept > ${m.mnt}/f`)
      const drive = m.config.pools[1]!.drives[3]!.dir!
      fs.renameSync(drive, `${drive}.away`)
      try {
        const result = await shmr(['umount', '-c', m.config.file])
        assert.equal(result.exitCode, 0, result.stderr)
        assert.equal(ExclusiveLock.holder(m.config.metadataDir), undefined)
      } finally {
        fs.renameSync(`${drive}.away`, drive)
      }
      await m.mount()
      assert.equal(await shOk(`cat ${m.mnt}/f`), 'kept')
    })
  })

  it('serves FUSE on its main thread, and stops on SIGINT with requests in flight', async () => {
    await withMount({blockSizeBytes: 65536}, async (m) => {
      const source = tempDir()
      await shOk(`head -c 4000000 /dev/urandom > ${source}/data && cp ${source}/data ${m.mnt}/data`)
      const pid = m.pid()
      // No thread of the binding's own (a signal delivered to its loop thread once hung the
      // server at unmount): the main thread reads the device (native/fuse/fuse.c, on_device_readable).
      const tasks = `/proc/${pid}/task`
      const comms = fs.readdirSync(tasks).map((tid) => fs.readFileSync(`${tasks}/${tid}/comm`, 'utf8').trim())
      assert.deepEqual(comms.filter((comm) => comm === 'shmr-fuse'), [])
      // Readers at once, requests in flight together, and SIGINT meanwhile.
      await sh(`for i in 1 2 3 4; do (for j in 1 2 3 4 5; do cat ${m.mnt}/data > /dev/null; done) & done; sleep 0.2; kill -INT ${pid}; wait`)
      // Readers still busy after a second of retries make the server refuse (unmount.test.ts);
      // asked again once they are done, it stops.
      const exited = (): boolean => !fs.existsSync(`/proc/${pid}`) || fs.readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ')
      const refused = (): boolean => /not stopping/.test(fs.readFileSync(`${m.config.metadataDir}/mount.log`, 'utf8'))
      await waitUntil(() => exited() || refused(), 'the server exited or refused')
      if (!exited()) process.kill(pid, 'SIGINT')
      await waitUntil(exited, 'the server exited')
      assert.doesNotMatch(fs.readFileSync('/proc/mounts', 'utf8'), new RegExp(` ${m.mnt} `), 'the mount is gone')
      await m.mount()
      assert.equal(await shOk(`cmp ${source}/data ${m.mnt}/data && echo same`), 'same')
    })
  })

  it('logs to the journal when systemd started it (JOURNAL_STREAM names its stderr), else to METADATA/mount.log', async () => {
    await withMount({blockSizeBytes: 65536}, async (m) => {
      await m.unmount()
      const journal = `${tempDir()}/journal`
      const log = `${m.config.metadataDir}/mount.log`
      const logBefore = fs.readFileSync(log, 'utf8')
      // As systemd runs a service: stderr is the journal's stream, and JOURNAL_STREAM says which.
      const started = await sh(`exec 2>${journal}; JOURNAL_STREAM=$(stat -c %d:%i ${journal}) node ${SHMR_BIN} mount -c ${m.config.file} --background`)
      assert.equal(started.exitCode, 0, fs.readFileSync(journal, 'utf8'))
      assert.match(started.stdout, /\(log: the journal\)/)
      await m.unmount()
      // The journal keeps the time; each line carries its syslog priority (6: info).
      assert.match(fs.readFileSync(journal, 'utf8'), /^<6>mounted at .*\n(.|\n)*<6>stopped\n$/)
      assert.equal(fs.readFileSync(log, 'utf8'), logBefore, 'nothing went to mount.log')
    })
  })

  it('says why a server started with --background died before it was ready: its crash, or the signal that killed it', async () => {
    await withMount({blockSizeBytes: 65536}, async (m) => {
      await m.unmount()
      // Preloaded into the server only (the parent has no ready pipe): once it holds the
      // filesystem's lock, mid-mount, it crashes with an exception nothing catches, or is killed.
      const preload = `${tempDir()}/crash.cjs`
      fs.writeFileSync(preload, [
        "const fs = require('node:fs')",
        'const write = fs.writeFileSync',
        'fs.writeFileSync = function (file, ...rest) {',
        '  const result = write.call(this, file, ...rest)',
        "  if (process.env.SHMR_READY_FD && String(file).endsWith('shmr.lock')) {",
        "    if (process.env.CRASH === 'kill') process.kill(process.pid, 'SIGKILL')",
        "    setImmediate(() => { throw new Error('boom while mounting') })",
        '  }',
        '  return result',
        '}', '',
      ].join('\n'))
      const started = async (crash: string): Promise<{exitCode: number; stderr: string}> =>
        shmr(['mount', '-c', m.config.file, '--background'], {env: {NODE_OPTIONS: `--require ${preload}`, CRASH: crash}})
      const crashed = await started('throw')
      assert.equal(crashed.exitCode, 7, crashed.stderr)
      assert.match(crashed.stderr, /the server failed while mounting: boom while mounting/)
      const killed = await started('kill')
      assert.equal(killed.exitCode, 7, killed.stderr)
      assert.match(killed.stderr, /the background server exited before mounting \(killed by SIGKILL\); see .*mount\.log/)
      await m.mount()
      await shOk(`echo fine > ${m.mnt}/f`)
    })
  })

  it('logs at the level the config says: debug shows answers like ENOTEMPTY, warning hides the info lines', async () => {
    await withMount({blockSizeBytes: 65536, mount: {logLevel: 'debug'}}, async (m) => {
      const log = `${m.config.metadataDir}/mount.log`
      await m.unmount()
      await m.mount()
      await shOk(`mkdir ${m.mnt}/d && touch ${m.mnt}/d/f`)
      assert.notEqual((await sh(`rmdir ${m.mnt}/d`)).exitCode, 0)
      await m.unmount()
      const debug = fs.readFileSync(log, 'utf8')
      assert.match(debug, /Z debug: rmdir of inode 1: .*not empty/)
      assert.match(debug, /Z mounted at /)
      fs.writeFileSync(m.config.file, formatConfig({...m.config, mount: {...m.config.mount, logLevel: 'warning'}}))
      await m.mount()
      assert.notEqual((await sh(`rmdir ${m.mnt}/d`)).exitCode, 0)
      await m.unmount()
      assert.equal(fs.readFileSync(log, 'utf8'), debug, 'nothing below warning was logged')
    })
  })

  it('stays mounted when its mount point is given through a symlink', async () => {
    await withMount({blockSizeBytes: 65536}, async (m) => {
      await m.unmount()
      const link = `${tempDir()}/archive`
      fs.symlinkSync(m.mnt, link)
      const mounted = await shmr(['mount', '-c', m.config.file, link, '--background'])
      assert.equal(mounted.exitCode, 0, mounted.stderr)
      // The server looks for its mount in the mount table every second; give it three looks.
      await new Promise((resolve) => setTimeout(resolve, 3500))
      assert.doesNotMatch(fs.readFileSync(`${m.config.metadataDir}/mount.log`, 'utf8'), /unmounted from outside/)
      await shOk(`printf hello > ${link}/greeting`)
      assert.equal(await shOk(`cat ${m.mnt}/greeting`), 'hello')
      assert.equal((await shOk(`cat /sys/class/bdi/$(mountpoint -d ${m.mnt})/read_ahead_kb`)).trim(), '4096', 'the read-ahead window was found and set')
    })
  })

  it('reports to df what the pools hold, drive directories on one disk sharing it, not counting it once each', async () => {
    await withMount({}, async (m) => {
      const [mountSize, mountAvail] = (await shOk(`df -B1 --output=size,avail ${m.mnt} | tail -1`)).trim().split(/\s+/).map(Number)
      const [diskSize, diskAvail] = (await shOk(`df -B1 --output=size,avail ${m.config.metadataDir} | tail -1`)).trim().split(/\s+/).map(Number)
      // All the fixture's 7 drive directories live on the one disk under the temp dir: each a
      // seventh of it; the write pool (single) holds its seventh, the archive (4+2 over six) 4
      // sevenths (docs/LIMITATIONS.md, "Space").
      const expected = (bytes: number): number => 5 * Math.floor(bytes / 7)
      assert.ok(Math.abs(mountSize! - expected(diskSize!)) <= 2 * 1024 * 1024, `size ${mountSize} vs 5/7 of the disk's ${diskSize}`)
      assert.ok(Math.abs(mountAvail! - expected(diskAvail!)) <= 64 * 1024 * 1024, `available ${mountAvail} vs 5/7 of the disk's ${diskAvail}`)
      assert.equal((await sh(`stat -f -c '%l' ${m.mnt}`)).stdout, '255')
    })
  })
})
