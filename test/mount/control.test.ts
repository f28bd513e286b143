import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import {describe, it} from 'node:test'
import type {StatusReport} from '../../src/lib/control/serverStatus.js'
import {CONTROL_SOCKET_FILE} from '../../src/lib/format/constants.js'
import {shmr} from '../helpers/cli.js'
import {sh, shOk, withMount} from '../helpers/mounted.js'

/** Blocks stay buffered for an hour unless something writes them out: what flush writes is flush's doing. */
const BUFFERED = {blockSizeBytes: 1 << 20, mount: {flushAfterMs: 3_600_000}}

async function statusOf(config: string): Promise<StatusReport> {
  const result = await shmr(['status', '-c', config, '--json'])
  assert.equal(result.exitCode, 0, result.stderr)
  return JSON.parse(result.stdout) as StatusReport
}

describe('the control socket', () => {
  it('status tells the mounting server and what it buffers; flush writes it out durably: after kill -9 the flushed data is there', {timeout: 120_000}, async () => {
    await withMount(BUFFERED, async (m) => {
      await shOk(`head -c 300000 /dev/urandom > ${m.mnt}/.ref && cp ${m.mnt}/.ref /dev/shm/shmr-control-ref-${process.pid}`)
      await shOk(`dd if=/dev/shm/shmr-control-ref-${process.pid} of=${m.mnt}/one status=none && dd if=/dev/shm/shmr-control-ref-${process.pid} of=${m.mnt}/two status=none`)
      const before = await statusOf(m.config.file)
      assert.ok(before.mounted)
      assert.equal(before.pid, m.pid())
      assert.equal(before.mountpoint, m.mnt)
      assert.ok(before.pendingBlocks >= 2, `blocks wait in the mount: ${before.pendingBlocks}`)

      const one = await shmr(['flush', '-c', m.config.file, '/one', '--json'])
      assert.equal(one.exitCode, 0, one.stderr)
      assert.equal((JSON.parse(one.stdout) as {flushed: string}).flushed, '/one')
      const all = await shmr(['flush', '-c', m.config.file])
      assert.equal(all.exitCode, 0, all.stderr)
      assert.match(all.stdout, /^flushed everything in /)
      const after = await statusOf(m.config.file)
      assert.ok(after.mounted && after.pendingBlocks === 0)

      process.kill(m.pid(), 'SIGKILL')
      await m.mount()
      for (const name of ['one', 'two']) assert.equal(await shOk(`cmp ${m.mnt}/${name} /dev/shm/shmr-control-ref-${process.pid} && echo same`), 'same')
      fs.rmSync(`/dev/shm/shmr-control-ref-${process.pid}`)
    })
  })

  it('flush returns once the block files of a removed file are deleted', {timeout: 120_000}, async () => {
    // 2,048 block files: their deletion takes longer than flush's own start (a discard each, on
    // a disk mounted with it), so a flush that did not wait for it would find them there.
    await withMount({blockSizeBytes: 64 << 10, mount: {flushAfterMs: 3_600_000}}, async (m) => {
      const pool = m.config.pools[0]!.drives[0]!.dir!
      const blockFiles = async (): Promise<number> => Number(await shOk(`find ${pool}/shmr -name '*.shard' | wc -l`))
      await shOk(`head -c ${128 << 20} /dev/urandom > ${m.mnt}/f`)
      assert.equal((await shmr(['flush', '-c', m.config.file])).exitCode, 0)
      assert.equal(await blockFiles(), 2048, 'stored, one file a block')
      await shOk(`rm ${m.mnt}/f`)
      assert.equal((await shmr(['flush', '-c', m.config.file])).exitCode, 0)
      assert.equal(await blockFiles(), 0, 'gone when flush returned')
    })
  })

  it('a malformed request gets an error reply and one log line, and the server serves on; a bad target is one clear line', {timeout: 60_000}, async () => {
    await withMount(BUFFERED, async (m) => {
      const socket = path.join(m.config.metadataDir, CONTROL_SOCKET_FILE)
      assert.equal(fs.statSync(socket).mode & 0o777, 0o600)
      const ask = (payload: string): Promise<string> => shOk(`python3 -c 'import socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.sendall(sys.argv[2].encode()); s.shutdown(socket.SHUT_WR)
print(s.makefile().readline().strip())' ${socket} '${payload}'`)
      assert.match(await ask('garbage\n'), /"ok":false.*"code":"BAD_ARGUMENT".*not JSON/)
      assert.match(await ask('{"v":99,"op":"status"}\n'), /protocol version 99, this server speaks 1/)
      assert.match(await ask('{"v":1,"op":"rm -rf"}\n'), /unknown operation/)
      assert.match(await ask('{"v":1,"op":"status"'), /ended without a newline/)
      assert.match(await ask('{"v":1,"op":"drain","name":"smr0","undo":"yes"}\n'), /drain takes undo, a boolean/)
      assert.match(await ask('{"v":1,"op":"driveAdd","pool":"archive","name":"x"}\n'), /driveAdd takes pool, name and dir strings/)
      const log = fs.readFileSync(path.join(m.config.metadataDir, 'mount.log'), 'utf8')
      assert.equal(log.match(/control socket: refused a request/g)?.length, 6)
      assert.ok((await statusOf(m.config.file)).mounted, 'the server serves on')
      await shOk(`echo still > ${m.mnt}/alive && cat ${m.mnt}/alive`)
      const missing = await shmr(['flush', '-c', m.config.file, '/nope'])
      assert.equal(missing.exitCode, 2)
      assert.equal(missing.stderr.split('\n')[0], 'shmr: no entry named nope')
    })
  })

  it('is out of reach of other users, and status says when the filesystem is not mounted', {timeout: 60_000}, async () => {
    await withMount(BUFFERED, async (m) => {
      // Up to the metadata directory, nobody may go (mkdtemp made the test's root 0700); the private directory and the 0600 socket stop it.
      fs.chmodSync(path.dirname(m.config.metadataDir), 0o755)
      const asNobody = await sh(`setpriv --reuid=65534 --regid=65534 --clear-groups /usr/bin/python3 -c 'import socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])' ${path.join(m.config.metadataDir, CONTROL_SOCKET_FILE)}`)
      assert.notEqual(asNobody.exitCode, 0)
      assert.match(asNobody.stderr, /PermissionError/)
      // With the modes opened up by mistake, the server still serves only its own user: it asks the kernel who connected.
      const socket = path.join(m.config.metadataDir, CONTROL_SOCKET_FILE)
      fs.chmodSync(m.config.metadataDir, 0o755)
      fs.chmodSync(socket, 0o666)
      const peer = await sh(`setpriv --reuid=65534 --regid=65534 --clear-groups /usr/bin/python3 -c 'import socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.sendall(b"{\\"v\\":1,\\"op\\":\\"status\\"}\\n")
print(s.makefile().readline().strip())' ${socket}`)
      assert.equal(peer.exitCode, 0, peer.stderr)
      assert.match(peer.stdout, /"code":"PERMISSION_DENIED"/)
      assert.match(fs.readFileSync(path.join(m.config.metadataDir, 'mount.log'), 'utf8'), /control socket: refused a connection from user 65534/)
      fs.chmodSync(m.config.metadataDir, 0o700)
      await m.unmount()
      assert.deepEqual(await statusOf(m.config.file), {mounted: false})
      assert.equal(fs.existsSync(path.join(m.config.metadataDir, CONTROL_SOCKET_FILE)), false, 'the socket goes with the server')
      const flushed = await shmr(['flush', '-c', m.config.file])
      assert.equal(flushed.stdout, 'not mounted: nothing is buffered')
    })
  })

  it('gc while mounted runs in the server: tombstones go, unreferenced files are listed and kept; offline gc deletes them', {timeout: 60_000}, async () => {
    await withMount(BUFFERED, async (m) => {
      const stray = path.join(m.config.pools[0]!.drives[0]!.dir!, 'shmr', '00', '00', 'i999.b0.z1048576.g5.s.s0.l3.c00000000.shard')
      fs.mkdirSync(path.dirname(stray), {recursive: true})
      fs.writeFileSync(stray, 'abc')
      await shOk(`touch -d '2 hours ago' ${stray}`)
      const mounted = await shmr(['gc', '-c', m.config.file, '--json'])
      assert.equal(mounted.exitCode, 0, mounted.stderr)
      const report = JSON.parse(mounted.stdout) as {unreferenced: {files: number}; keptMounted: number}
      assert.equal(report.unreferenced.files, 1)
      assert.equal(report.keptMounted, 1)
      assert.ok(fs.existsSync(stray), 'kept while mounted')
      await m.unmount()
      const offline = await shmr(['gc', '-c', m.config.file, '--json'])
      assert.equal(offline.exitCode, 0, offline.stderr)
      assert.equal((JSON.parse(offline.stdout) as {keptMounted: number}).keptMounted, 0)
      assert.equal(fs.existsSync(stray), false, 'deleted offline')
    })
  })
})
