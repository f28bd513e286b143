import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import {describe, it} from 'node:test'
import {EXIT_CODE_OF} from '../../src/cli/exitCodes.js'
import {SNAPSHOT_DIR} from '../../src/lib/format/constants.js'
import type {RecoverReport} from '../../src/lib/recovery/runRecover.js'
import type {TreeReport} from '../../src/lib/decode/decodeTree.js'
import type {VerifyReport} from '../../src/lib/verify/runVerify.js'
import {shmr} from '../helpers/cli.js'
import {sh, shOk, withMount, type MountedFs} from '../helpers/mounted.js'
import {tempDir} from '../helpers/tempDir.js'
import {treeManifest} from '../helpers/treeManifest.js'

/**
 * A tree with every kind of entry and attribute recovery must bring back: nested directories,
 * names with spaces, UTF-8 and a byte that is not UTF-8, a hard-linked file of several blocks,
 * symlinks (one dangling), a FIFO, a socket, a device node, xattrs on a file and a directory,
 * odd modes (setuid, sticky, 0) and owners, times to the nanosecond, files of 0 and 1 byte and
 * a sparse one. Directory times are set last: creating entries changes them.
 */
const BUILD_TREE = String.raw`
set -e
mkdir -p 'a/b c/d' 'ünï'
printf x > one
: > empty
head -c 300001 /dev/urandom > 'a/b c/multi.bin'
ln 'a/b c/multi.bin' a/hard
ln -s 'b c/multi.bin' a/rel-link
ln -s /nonexistent/abs dangling
mkfifo a/fifo
mknod a/null c 1 3
python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' a/sock
truncate -s 1M sparse
printf y | dd of=sparse bs=1 seek=500000 conv=notrunc status=none
echo data > 'ünï/spaced name.txt'
echo raw > $'bad\xffname'
head -c 200000 /dev/urandom > gone.bin
python3 -c 'import os; os.setxattr("a/hard", "user.note", b"\x00\x01bin"); os.setxattr("ünï", "user.dir", b"on a dir")'
chown 1234:5678 one && chmod 604 one
chown -h 42:43 a/rel-link
chmod 4751 'a/b c/multi.bin'
chmod 1777 'a/b c'
chmod 0 'a/b c/d'
touch -h -d '2001-02-03 04:05:06.123456789' one a/rel-link 'a/b c/multi.bin' 'a/b c' 'a/b c/d' a
`

/** After the shift, through the mount: what the snapshot written at unmount must tell. */
const CHANGE_TREE = String.raw`
set -e
mv 'ünï/spaced name.txt' 'ünï/renamed.txt'
chmod 640 one
rm gone.bin
echo 'written after the shift: on the write pool only' > late.txt
`

/** Builds the tree, shifts it all to the archive, changes some of it through the mount; returns the tree as it then is. */
async function archivedTree(m: MountedFs): Promise<Record<string, unknown>> {
  await shOk(BUILD_TREE, m.mnt)
  await m.unmount()
  const shifted = await shmr(['shift', '-c', m.config.file, '-r', '/'])
  assert.equal(shifted.exitCode, 0, shifted.stderr)
  await m.mount()
  await shOk(CHANGE_TREE, m.mnt)
  const tree = await treeManifest(m.mnt)
  await m.unmount()
  return tree
}

function without(tree: Record<string, unknown>, ...paths: string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(tree).filter(([key]) => !paths.includes(key)))
}

async function recoverJson(config: string, ...args: string[]): Promise<RecoverReport> {
  const result = await shmr(['recover', '-c', config, '--json', ...args])
  assert.equal(result.exitCode, 0, result.stdout + result.stderr)
  return JSON.parse(result.stdout) as RecoverReport
}

async function verifyClean(config: string, ...args: string[]): Promise<VerifyReport> {
  const verified = await shmr(['verify', '-c', config, '--json', ...args])
  assert.equal(verified.exitCode, 0, verified.stdout + verified.stderr)
  const report = JSON.parse(verified.stdout) as VerifyReport
  assert.equal(report.summary.damaged, 0)
  assert.equal(report.summary.degraded, 0, JSON.stringify(report.files.filter((file) => file.status !== 'ok')))
  return report
}

const ARCHIVE = {blockSizeBytes: 64 * 1024, archiveBlockSizeBytes: 128 * 1024}

describe('recovery from the drives alone', () => {
  it('the metadata and the write pool lost: recover brings back every archived name, byte, mode, owner, time, xattr and link; what lived only on the write pool is listed lost', {timeout: 180_000}, async () => {
    await withMount(ARCHIVE, async (m) => {
      const expected = without(await archivedTree(m), "b'late.txt'")
      fs.rmSync(m.config.metadataDir, {recursive: true})
      fs.rmSync(m.config.pools[0]!.drives[0]!.dir!, {recursive: true})

      const dryRun = await recoverJson(m.config.file, '--dry-run')
      assert.equal(fs.existsSync(m.config.metadataDir), false, 'a dry run writes nothing')
      assert.deepEqual(dryRun.lost.map((file) => file.path), ['/late.txt'])

      const report = await recoverJson(m.config.file)
      assert.deepEqual(report.lost.map((file) => file.path), ['/late.txt'])
      assert.deepEqual(report.drivesSetUp, ['ssd0'])
      assert.deepEqual(report.lostAndFound, [])
      await verifyClean(m.config.file)
      await m.mount()
      assert.deepEqual(await treeManifest(m.mnt), expected)
      // The recovered filesystem is a filesystem: it takes new files, and the old ones read.
      await shOk(`echo new > ${m.mnt}/after-recovery && cat ${m.mnt}/after-recovery > /dev/null`)
    })
  })

  it('two of six archive drives lost too (4+2): decode --tree and recover still give back everything', {timeout: 180_000}, async () => {
    await withMount(ARCHIVE, async (m) => {
      const expected = without(await archivedTree(m), "b'late.txt'")
      const archive = m.config.pools[1]!.drives.map((drive) => drive.dir!)
      fs.rmSync(m.config.metadataDir, {recursive: true})
      fs.rmSync(m.config.pools[0]!.drives[0]!.dir!, {recursive: true})
      for (const dir of archive.slice(0, 2)) fs.rmSync(dir, {recursive: true})

      const out = path.join(tempDir(), 'tree')
      const decoded = await shmr(['decode', '--json', '--tree', out, ...archive.slice(2)])
      const tree = JSON.parse(decoded.stdout) as TreeReport
      assert.equal(decoded.exitCode, EXIT_CODE_OF.CORRUPT, `decode says a file could not be rebuilt: ${decoded.stderr}`)
      assert.deepEqual(tree.notRebuilt.map((file) => file.path), ['/late.txt'])
      assert.deepEqual(tree.attributesNotSet, [])
      assert.deepEqual(await treeManifest(out), expected)

      const report = await recoverJson(m.config.file)
      assert.deepEqual(report.drivesMissing, ['smr0', 'smr1'])
      assert.deepEqual(report.lost.map((file) => file.path), ['/late.txt'])
      // Replacement drives, then repair: the shards of the lost drives are rebuilt onto them.
      for (const dir of archive.slice(0, 2)) fs.mkdirSync(dir)
      const repaired = await shmr(['verify', '-c', m.config.file, '--repair', '--json'])
      assert.equal(repaired.exitCode, 0, repaired.stdout + repaired.stderr)
      assert.deepEqual((JSON.parse(repaired.stdout) as VerifyReport).drivesAdopted, ['smr0', 'smr1'])
      await verifyClean(m.config.file)
      await m.mount()
      assert.deepEqual(await treeManifest(m.mnt), expected)
    })
  })

  it('a damaged or cut-short snapshot copy is passed over for a good one; an older snapshot never wins over a newer good one', {timeout: 120_000}, async () => {
    await withMount(ARCHIVE, async (m) => {
      await shOk(`echo one > ${m.mnt}/first && head -c 100000 /dev/urandom > ${m.mnt}/data`)
      await m.unmount()
      await m.mount()
      await shOk(`mv ${m.mnt}/first ${m.mnt}/second`)
      await m.unmount()
      const drives = m.config.pools.flatMap((pool) => pool.drives.map((drive) => drive.dir!))
      const snapshotsOf = (dir: string): string[] => fs.readdirSync(path.join(dir, SNAPSHOT_DIR)).sort()
      assert.deepEqual(snapshotsOf(drives[0]!), ['snapshot.1', 'snapshot.2'])
      // Snapshot 2, the newest, damaged on every drive but the last: cut short on some, a byte flipped on the others.
      drives.slice(0, -1).forEach((dir, i) => {
        const file = path.join(dir, SNAPSHOT_DIR, 'snapshot.2')
        const bytes = fs.readFileSync(file)
        if (i % 2 === 0) fs.writeFileSync(file, bytes.subarray(0, bytes.length - 7))
        else {
          bytes.writeUInt8(bytes.readUInt8(bytes.length - 20) ^ 0xff, bytes.length - 20)
          fs.writeFileSync(file, bytes)
        }
      })
      fs.rmSync(m.config.metadataDir, {recursive: true})
      const newest = await recoverJson(m.config.file, '--dry-run')
      assert.equal(newest.snapshot.seq, 2)
      assert.equal(newest.rejectedSnapshots.length, drives.length - 1)
      assert.ok(newest.rejectedSnapshots.every((rejected) => /checksum|cut short|frames/.test(rejected.reason)), JSON.stringify(newest.rejectedSnapshots))
      // With no good copy of 2 left, 1 stands: the rename after it is not known.
      fs.writeFileSync(path.join(drives.at(-1)!, SNAPSHOT_DIR, 'snapshot.2'), 'SHMRSNAP garbage')
      const older = await recoverJson(m.config.file)
      assert.equal(older.snapshot.seq, 1)
      await m.mount()
      assert.equal(await shOk(`cat ${m.mnt}/first`), 'one')
      assert.equal(fs.existsSync(path.join(m.mnt, 'second')), false)
    })
  })

  it('refuses an existing store, a bad snapshot file and a tree over files, in one line each, changing nothing', {timeout: 60_000}, async () => {
    await withMount(ARCHIVE, async (m) => {
      await shOk(`echo kept > ${m.mnt}/kept`)
      await m.unmount()
      const storeFile = path.join(m.config.metadataDir, 'shmr.mdb')
      const before = fs.readFileSync(storeFile)
      const refusals: Array<[string[], RegExp]> = [
        [['recover', '-c', m.config.file], /^shmr: a metadata store already exists in .*; recover does not touch it$/m],
        [['recover', '-c', m.config.file, '--force', '--from', '/nonexistent/snapshot'], /^shmr: cannot read \/nonexistent\/snapshot/m],
        [['recover', '-c', m.config.file, '--force', '--from', m.config.file], /^shmr: .* is not a good metadata snapshot: not a shmr metadata snapshot$/m],
        [['decode', '--tree', m.config.metadataDir, m.config.pools[1]!.drives[0]!.dir!], /^shmr: .* is not empty$/m],
        [['decode', '--tree', tempDir(), '--file', '3', m.config.pools[1]!.drives[0]!.dir!], /^shmr: --file=3 cannot also be provided when using --tree/m],
        [['backup-meta', '-c', m.config.file, '-o', m.config.file], /^shmr: .* already exists$/m],
      ]
      for (const [args, message] of refusals) {
        const result = await shmr(args)
        assert.notEqual(result.exitCode, 0, args.join(' '))
        assert.match(result.stderr, message, args.join(' '))
        assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace')
      }
      assert.ok(before.equals(fs.readFileSync(storeFile)), 'the store is as it was')
      // --force moves the store aside, never deletes it.
      const forced = await recoverJson(m.config.file, '--force')
      assert.ok(forced.storeMovedAside && fs.readFileSync(forced.storeMovedAside).equals(before))
      await m.mount()
      assert.equal(await shOk(`cat ${m.mnt}/kept`), 'kept')
    })
  })

  it('files archived after the snapshot: a block whose snapshot copy is gone comes from its newer shards, a file the snapshot does not name goes to lost+found', {timeout: 120_000}, async () => {
    // One block size on both pools: a newer copy stands in for a block of the same size only.
    await withMount({blockSizeBytes: 128 * 1024, archiveBlockSizeBytes: 128 * 1024}, async (m) => {
      await shOk(`head -c 300000 /dev/urandom > ${m.mnt}/kept.bin && sync ${m.mnt}/kept.bin`)
      await m.unmount()
      const snapshot = path.join(tempDir(), 'meta.snapshot')
      const backup = await shmr(['backup-meta', '-c', m.config.file, '-o', snapshot])
      assert.equal(backup.exitCode, 0, backup.stderr)
      await m.mount()
      await shOk(`head -c 200000 /dev/urandom > ${m.mnt}/later.bin`)
      const sums = await shOk(`sha256sum < ${m.mnt}/kept.bin; sha256sum < ${m.mnt}/later.bin`)
      await m.unmount()
      const shifted = await shmr(['shift', '-c', m.config.file, '-r', '/'])
      assert.equal(shifted.exitCode, 0, shifted.stderr)
      fs.rmSync(m.config.metadataDir, {recursive: true})
      fs.rmSync(m.config.pools[0]!.drives[0]!.dir!, {recursive: true})

      const report = await recoverJson(m.config.file, '--from', snapshot)
      assert.equal(report.blocksFromNewerCopies, 3, 'kept.bin\'s three blocks, from the archive')
      assert.deepEqual(report.lost, [])
      assert.equal(report.lostAndFound.length, 1)
      await verifyClean(m.config.file)
      await m.mount()
      assert.equal(await shOk(`sha256sum < ${m.mnt}/kept.bin; sha256sum < ${m.mnt}${report.lostAndFound[0]!.path}`), sums)
    })
  })

  it('backup-meta writes a snapshot to a file beside a running mount, and recover --from reads it', {timeout: 60_000}, async () => {
    await withMount(ARCHIVE, async (m) => {
      await shOk(`mkdir ${m.mnt}/d && echo in-the-backup > ${m.mnt}/d/f && sync ${m.mnt}/d/f ${m.mnt}/d`)
      const file = path.join(tempDir(), 'meta.snapshot')
      const backup = await shmr(['backup-meta', '-c', m.config.file, '-o', file])
      assert.equal(backup.exitCode, 0, backup.stderr)
      const toDrives = await shmr(['backup-meta', '-c', m.config.file])
      assert.notEqual(toDrives.exitCode, 0, 'the mount writes the drives\' snapshot itself')
      await m.unmount()
      for (const drive of m.config.pools.flatMap((pool) => pool.drives)) fs.rmSync(path.join(drive.dir!, SNAPSHOT_DIR), {recursive: true})
      fs.rmSync(m.config.metadataDir, {recursive: true})
      const none = await shmr(['recover', '-c', m.config.file])
      assert.notEqual(none.exitCode, 0)
      assert.match(none.stderr, /^shmr: no metadata snapshot on the configured drives/m)
      await recoverJson(m.config.file, '--from', file)
      await m.mount()
      assert.equal(await shOk(`cat ${m.mnt}/d/f`), 'in-the-backup')
      assert.equal((await sh(`ls ${m.mnt}`)).stdout, 'd')
    })
  })
})
