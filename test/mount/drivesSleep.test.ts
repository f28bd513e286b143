import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import fs from 'node:fs'
import {describe, it} from 'node:test'
import {shmr} from '../helpers/cli.js'
import {shOk, withMount} from '../helpers/mounted.js'

const KiB = 1024

/**
 * Watches every directory under the given ones with inotify (through libc, no package) for
 * SECONDS, and prints every open or read of a file or directory there as JSON: [mask, name].
 * Says `ready` once the watches are in place.
 */
const WATCHER = String.raw`
import ctypes, json, os, select, struct, sys, time
libc = ctypes.CDLL('libc.so.6', use_errno=True)
fd = libc.inotify_init1(os.O_NONBLOCK)
IN_ACCESS, IN_OPEN = 0x1, 0x20
# Every directory first, then the watches: the walk's own opens must not be seen.
for here in [here for root in sys.argv[2:] for here, dirs, files in os.walk(root)]:
    assert libc.inotify_add_watch(fd, here.encode(), IN_ACCESS | IN_OPEN) >= 0
print('ready', flush=True)
events, deadline = [], time.time() + float(sys.argv[1])
while time.time() < deadline:
    if select.select([fd], [], [], 0.1)[0]:
        data, i = os.read(fd, 65536), 0
        while i < len(data):
            wd, mask, cookie, length = struct.unpack_from('iIII', data, i)
            events.append([mask, data[i + 16:i + 16 + length].rstrip(b'\0').decode()])
            i += 16 + length
print(json.dumps(events))
`

/** Runs `actions` while the watcher listens on `dirs`; the events it saw. */
async function watched(dirs: readonly string[], actions: () => Promise<unknown>): Promise<Array<[number, string]>> {
  const watcher = spawn('python3', ['-c', WATCHER, '4', ...dirs], {stdio: ['ignore', 'pipe', 'inherit']})
  let out = ''
  const ready = new Promise<void>((resolve) => watcher.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString()
    if (out.startsWith('ready\n')) resolve()
  }))
  const done = new Promise<void>((resolve) => watcher.once('close', () => resolve()))
  await ready
  await actions()
  await done
  return JSON.parse(out.slice('ready\n'.length)) as Array<[number, string]>
}

describe('archive drives can sleep', () => {
  // The head is longer than the kernel's read-ahead window (mount.readAhead, 4M): a player reading
  // the start is read ahead by the kernel that far, which must stay on the write pool too.
  it('a metadata walk of archived files, and a read of a head the tier rule keeps on the write pool, open nothing on the archive drives', {timeout: 120_000}, async () => {
    await withMount({blockSizeBytes: 64 * KiB, archiveBlockSizeBytes: 256 * KiB}, async (m) => {
      await shOk(`cd ${m.mnt} && mkdir -p media/deep && for i in 0 1 2; do head -c ${12 * 1024 * KiB} /dev/urandom > media/film$i; done && echo note > media/deep/n && touch -d 2020-01-01 media/film* media/deep/n`)
      await m.unmount()
      fs.appendFileSync(m.config.file, 'tiers:\n  - name: old\n    match: {olderThan: 7d}\n    action: {pool: archive, head: 8M}\n')
      const tiered = await shmr(['tier', '-c', m.config.file])
      assert.equal(tiered.exitCode, 0, tiered.stderr)
      await m.mount()
      const archive = m.config.pools[1]!.drives.map((drive) => drive.dir!)
      const quiet = await watched(archive, () => shOk(`cd ${m.mnt} && ls -lR > /dev/null && find . -printf '%s %m %T@\\n' > /dev/null && stat media/* > /dev/null && head -c ${64 * KiB} media/film1 > /dev/null && du -s . > /dev/null`))
      assert.deepEqual(quiet, [], 'nothing opened or read on an archive drive')
      // The watcher sees what it should: reading past the head reads the archive.
      const busy = await watched(archive, () => shOk(`cat ${m.mnt}/media/film2 > /dev/null`))
      assert.ok(busy.length > 0, 'reading an archived block opens shard files')
    })
  })
})
