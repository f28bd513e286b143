import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import fs from 'node:fs'
import {describe, it} from 'node:test'
import {shmr} from '../helpers/cli.js'
import {sh, shOk, withMount} from '../helpers/mounted.js'
import {tempDir} from '../helpers/tempDir.js'

/**
 * Writes small files into DIR one after another, each of a size and content its number decides,
 * fsyncs it, and only then appends its name to MANIFEST (on a disk of its own, fsynced too), until
 * it fails: the server under it is killed. Every tenth file is renamed over an older one, and every
 * seventh directory fsynced, so the namespace changes between fsyncs too.
 */
const WRITER = `
import hashlib, os, sys
directory, manifest = sys.argv[1], sys.argv[2]
log = os.open(manifest, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
i = 0
while True:
    sub = os.path.join(directory, f'd{i // 50}')
    if i % 50 == 0:
        os.mkdir(sub)
    data = hashlib.sha256(str(i).encode()).digest() * (1 + (i * 37) % 600)
    name = os.path.join(sub, f'f{i}')
    fd = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    os.write(fd, data)
    os.fsync(fd)
    os.close(fd)
    if i % 7 == 0:
        dfd = os.open(sub, os.O_RDONLY)
        os.fsync(dfd)
        os.close(dfd)
    os.write(log, f'{name} {hashlib.sha256(data).hexdigest()}\\n'.encode())
    os.fsync(log)
    i += 1
`

describe('a crash of the server', () => {
  it('kill -9 while small files are written: every file whose fsync returned is whole after remount, and verify finds nothing wrong', {timeout: 180_000}, async () => {
    await withMount({blockSizeBytes: 65536}, async (m) => {
      const manifest = `${tempDir()}/manifest`
      fs.mkdirSync(`${m.mnt}/w`)
      const writer = spawn('python3', ['-c', WRITER, `${m.mnt}/w`, manifest], {stdio: ['ignore', 'ignore', 'pipe']})
      const ended = new Promise((resolve) => writer.once('exit', resolve))
      try {
        // Killed once a few hundred files are in the manifest, while the writer is busy.
        for (let i = 0; i < 600; i++) {
          await new Promise((resolve) => setTimeout(resolve, 100))
          if (fs.existsSync(manifest) && fs.readFileSync(manifest, 'utf8').trim().split('\n').length >= 300) break
        }
        m.kill()
      } finally {
        await ended
      }
      const entries = fs.readFileSync(manifest, 'utf8').trim().split('\n').map((line) => line.split(' ') as [string, string])
      assert.ok(entries.length >= 300, `the manifest holds ${entries.length} files at the kill: the test proved nothing`)
      await m.mountAfterKill()
      const wrong = await sh(`cd / && ${entries.map(([name, digest]) => `[ "$(sha256sum < ${name} | cut -c1-64)" = ${digest} ] || echo ${name}`).join('\n')}`)
      assert.equal(wrong.stdout, '', 'files whose fsync returned but which are not whole')
      await m.unmount()
      const verify = await shmr(['verify', '-c', m.config.file])
      assert.equal(verify.exitCode, 0, `${verify.stdout}\n${verify.stderr}`)
      await m.mount()
      await shOk(`ls ${m.mnt}/w > /dev/null`)
    })
  })
})
