import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import fs from 'node:fs'
import {describe, it} from 'node:test'
import {ExclusiveLock} from '../../src/lib/meta/exclusiveLock.js'
import {SHMR_BIN, shmr} from '../helpers/cli.js'
import {sh, shOk, withMount} from '../helpers/mounted.js'

async function waitUntil(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (condition()) return
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  assert.fail(`timed out waiting until ${what}`)
}

const isMounted = (mnt: string): boolean => fs.readFileSync('/proc/mounts', 'utf8').split('\n').some((line) => line.split(' ')[1] === mnt)
const exited = (pid: number): boolean => !fs.existsSync(`/proc/${pid}`) || fs.readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ')

/** A writer holding a file open in the mount: writes a line whenever it reads one on stdin, closes at end of input. */
const HOLDER = 'import sys\nf = open(sys.argv[1], "w")\nprint("open", flush=True)\nfor line in sys.stdin:\n    f.write(line); f.flush()\nf.close()\n'

function openWriter(file: string): {write(line: string): void; close(): Promise<void>; pid: number; ready: Promise<void>} {
  const child = spawn('python3', ['-c', HOLDER, file], {stdio: ['pipe', 'pipe', 'inherit']})
  const ready = new Promise<void>((resolve) => child.stdout.once('data', () => resolve()))
  const ended = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  return {
    pid: child.pid!, ready,
    write: (line) => child.stdin.write(`${line}\n`),
    close: async () => {
      child.stdin.end()
      await ended
    },
  }
}

describe('unmounting', () => {
  it('refuses a busy mount naming who holds it and changes nothing; --lazy detaches it and keeps serving the open file until it is closed', async () => {
    await withMount({blockSizeBytes: 65536}, async (m) => {
      const writer = openWriter(`${m.mnt}/log`)
      try {
        await writer.ready
        writer.write('before')
        const refused = await shmr(['umount', '-c', m.config.file, '--json'])
        assert.equal(refused.exitCode, 3, refused.stdout)
        const error = (JSON.parse(refused.stdout) as {error: {code: string; message: string; hint: string}}).error
        assert.equal(error.code, 'BUSY')
        assert.match(error.message, new RegExp(`python3 \\(PID ${writer.pid}: open file ${m.mnt}/log\\)`))
        assert.match(error.hint, /--lazy/)
        assert.ok(isMounted(m.mnt), 'still mounted')
        const pid = m.pid()
        assert.equal(ExclusiveLock.holder(m.config.metadataDir)?.pid, pid)

        const lazy = await shmr(['umount', '-c', m.config.file, '--lazy', '--json'])
        assert.equal(lazy.exitCode, 0, lazy.stderr)
        assert.equal((JSON.parse(lazy.stdout) as {outcome: string}).outcome, 'detached')
        assert.ok(!isMounted(m.mnt), 'detached from the mount point')
        // Written after the detach: the server still serves the open file, and keeps it.
        writer.write('after')
        await new Promise((resolve) => setTimeout(resolve, 2500))
        assert.ok(!exited(pid), 'the server serves the open file')
        await writer.close()
        await waitUntil(() => exited(pid), 'the server stopped once the file was closed')
      } finally {
        await writer.close()
      }
      await m.mount()
      assert.equal(await shOk(`cat ${m.mnt}/log`), 'before\nafter')
    })
  })

  it('clears the dead mount a killed server leaves: inspect says so, umount clears it, and so does mount, saying so', async () => {
    await withMount({blockSizeBytes: 65536}, async (m) => {
      await shOk(`echo kept > ${m.mnt}/f && sync ${m.mnt}/f`)
      for (const clearedBy of ['umount', 'mount'] as const) {
        process.kill(m.pid(), 'SIGKILL')
        await waitUntil(() => ExclusiveLock.holder(m.config.metadataDir) === undefined, 'the server died')
        assert.equal((await sh(`stat ${m.mnt}`)).exitCode, 1, 'the mount point is dead')
        const overview = await shmr(['inspect', 'overview', '-c', m.config.file])
        assert.equal(overview.exitCode, 0, overview.stderr)
        assert.match(overview.stdout, /not mounted: server PID \d+ died and left a dead mount at .* \(shmr umount clears it\)/)
        const cleared = clearedBy === 'umount' ? await shmr(['umount', '-c', m.config.file]) : await shmr(['mount', '-c', m.config.file, '--background'])
        assert.equal(cleared.exitCode, 0, cleared.stderr)
        assert.match(cleared.stdout, new RegExp(`cleared the dead mount at ${m.mnt} left by server PID \\d+`))
        if (clearedBy === 'umount') {
          assert.ok(!isMounted(m.mnt))
          await m.mount()
        }
        assert.equal(await shOk(`cat ${m.mnt}/f`), 'kept')
      }
    })
  })

  it('Ctrl-C on a busy foreground mount says who holds it and keeps serving; a second Ctrl-C forces it off, saying what that risks', async () => {
    await withMount({blockSizeBytes: 65536}, async (m) => {
      await m.unmount()
      const server = spawn(process.execPath, [SHMR_BIN, 'mount', '-c', m.config.file], {stdio: ['ignore', 'ignore', 'pipe']})
      let log = ''
      server.stderr.on('data', (chunk: Buffer) => { log += chunk.toString() })
      const serverExited = new Promise((resolve) => server.once('exit', resolve))
      let writer: ReturnType<typeof openWriter> | undefined
      try {
        await waitUntil(() => log.includes('mounted at'), 'the foreground mount is ready')
        writer = openWriter(`${m.mnt}/held`)
        await writer.ready
        writer.write('one')
        server.kill('SIGINT')
        await waitUntil(() => log.includes('not stopping'), 'the server refused')
        assert.match(log, new RegExp(`not stopping \\(SIGINT\\): ${m.mnt} is in use by python3 \\(PID ${writer.pid}: open file ${m.mnt}/held\\)`))
        assert.equal(await shOk(`cat ${m.mnt}/held`), 'one', 'still serving')
        server.kill('SIGINT')
        await serverExited
        assert.match(log, /forced \(SIGINT\): .* detached lazily; programs still holding files there get errors \(ENOTCONN\)/)
      } finally {
        await writer?.close()
        if (server.exitCode === null) server.kill('SIGKILL')
      }
      assert.ok(!isMounted(m.mnt))
      await m.mount()
      assert.equal(await shOk(`cat ${m.mnt}/held`), 'one', 'what was written before the force is kept')
    })
  })
})
