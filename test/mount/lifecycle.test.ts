import assert from 'node:assert/strict'
import fs from 'node:fs'
import {describe, it} from 'node:test'
import {ExclusiveLock} from '../../src/lib/meta/exclusiveLock.js'
import {shmr} from '../helpers/cli.js'
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
      const drive = m.config.pools[1]!.drives[3]!.dir
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

  it('takes no signals on its FUSE threads, where one hung the server at unmount', async () => {
    await withMount({blockSizeBytes: 65536}, async (m) => {
      // Readers at once: requests in flight together.
      await shOk(`head -c 4000000 /dev/urandom > ${m.mnt}/data && for i in 1 2 3 4; do cat ${m.mnt}/data > /dev/null & done; wait`)
      const tasks = `/proc/${m.pid()}/task`
      // The name the binding gives its loop's thread (native/fuse/fuse.c, loop_thread): the only one,
      // since every request is handed to the main thread and nothing waits for it.
      const fuseThreads = fs.readdirSync(tasks).filter((tid) => fs.readFileSync(`${tasks}/${tid}/comm`, 'utf8').trim() === 'shmr-fuse')
      assert.equal(fuseThreads.length, 1, 'the loop\'s thread is named')
      // Every standard signal that can be blocked (all but SIGKILL and SIGSTOP).
      const blockable = [...Array(31).keys()].map((i) => i + 1).filter((signal) => signal !== 9 && signal !== 19)
      for (const tid of fuseThreads) {
        const blocked = BigInt(`0x${/^SigBlk:\s+([0-9a-f]+)$/m.exec(fs.readFileSync(`${tasks}/${tid}/status`, 'utf8'))![1]}`)
        const open = blockable.filter((signal) => (blocked & (1n << BigInt(signal - 1))) === 0n)
        assert.deepEqual(open, [], `thread ${tid} blocks every signal`)
      }
      await m.unmount()
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

  it('reports capacity and free space of the drives to df, each disk counted once', async () => {
    await withMount({}, async (m) => {
      const [mountSize, mountAvail] = (await shOk(`df -B1 --output=size,avail ${m.mnt} | tail -1`)).trim().split(/\s+/).map(Number)
      const [diskSize, diskAvail] = (await shOk(`df -B1 --output=size,avail ${m.config.metadataDir} | tail -1`)).trim().split(/\s+/).map(Number)
      // All the fixture's drive directories live on the one disk under the temp dir.
      assert.ok(Math.abs(mountSize! - diskSize!) <= 1024 * 1024, `size ${mountSize} vs disk ${diskSize}`)
      assert.ok(Math.abs(mountAvail! - diskAvail!) <= 64 * 1024 * 1024, `available ${mountAvail} vs disk ${diskAvail}`)
      assert.equal((await sh(`stat -f -c '%l' ${m.mnt}`)).stdout, '255')
    })
  })
})
