import assert from 'node:assert/strict'
import fs from 'node:fs'
import {describe, it} from 'node:test'
import {sh, shOk, withMount} from '../helpers/mounted.js'
import {tempDir} from '../helpers/tempDir.js'

/** Bytes free on the filesystem holding `dir`. */
async function freeBytes(dir: string): Promise<number> {
  return Number((await shOk(`df -B1 --output=avail ${dir} | tail -1`)).trim())
}

/** Runs `body` with a fresh tmpfs of `size` mounted on a new directory, unmounted afterwards. */
async function withSmallDisk(size: string, body: (dir: string) => Promise<void>): Promise<void> {
  const dir = tempDir()
  await shOk(`mount -t tmpfs -o size=${size},mode=0700 shmr-test ${dir}`)
  try {
    await body(dir)
  } finally {
    await sh(`umount ${dir}`)
  }
}

describe('full disks', () => {
  it('the metadata disk full: changes answer ENOSPC and roll back, the server keeps serving, and works on once there is room', async () => {
    await withSmallDisk('2m', async (meta) => {
      await withMount({blockSizeBytes: 65536, metadataDir: meta}, async (m) => {
        await shOk(`echo first > ${m.mnt}/first && mkdir ${m.mnt}/d`)
        // Leave the metadata store a little room to grow into.
        await shOk(`head -c ${(await freeBytes(meta)) - 256 * 1024} /dev/zero > ${meta}/filler`)
        const filled = await sh(`cd ${m.mnt}/d && for i in $(seq 20000); do echo $i | dd of=file-with-a-longish-name-$i conv=fsync status=none || { echo $i; exit 1; }; done`)
        assert.notEqual(filled.exitCode, 0, 'the metadata disk filled up')
        assert.match(filled.stderr, /No space left on device/)
        const failedAt = Number(filled.stdout)
        assert.ok(fs.existsSync(`/proc/${m.pid()}`), 'the server is alive')
        assert.equal(await shOk(`cat ${m.mnt}/first`), 'first')
        const listed = Number(await shOk(`ls ${m.mnt}/d | wc -l`))
        assert.ok(listed > 100, `${listed} files were created before the disk filled`)

        fs.rmSync(`${meta}/filler`)
        // The failed file's block is retried within seconds; until it is written, writes wait for room.
        await eventually(async () => (await sh(`echo again > ${m.mnt}/again`)).exitCode === 0)
        await shOk(`mkdir ${m.mnt}/more`)
        await m.remount()
        assert.equal(await shOk(`cat ${m.mnt}/first ${m.mnt}/again`), 'first\nagain')
        // Every file fsynced before the failure is whole; the one that failed is whole, empty (its
        // create committed, its data did not) or absent, as on a local disk.
        const broken = await sh(`cd ${m.mnt}/d && for f in *; do i=\${f##*-}; c=$(cat $f); [ "$c" = "$i" ] || { [ $i = ${failedAt} ] && [ -z "$c" ]; } || echo $f; done`)
        assert.equal(broken.stdout, '', 'files whose content is not what was written')
        assert.equal(Number(await shOk(`ls ${m.mnt}/d | wc -l`)), failedAt - 1 + Number(fs.existsSync(`${m.mnt}/d/file-with-a-longish-name-${failedAt}`)))
        assert.doesNotMatch(fs.readFileSync(`${meta}/mount.log`, 'utf8'), /Unhandled|TypeError|Commit failed/)
      })
    })
  })

  it('the write pool full: writes answer ENOSPC at once, memory stays within the cache, reads go on, and writing resumes once there is room', {timeout: 240_000}, async () => {
    const MiB = 1024 * 1024
    const cacheBytes = 16 * MiB
    const source = tempDir('shmr-test-shm-')
    await shOk(`head -c ${200 * MiB} /dev/urandom > ${source}/src`)
    await withSmallDisk('96m', async (pool) => {
      await withMount({blockSizeBytes: MiB, writeDriveDir: pool, mount: {cacheBytes}}, async (m) => {
        const log = (): string => fs.readFileSync(`${m.config.metadataDir}/mount.log`, 'utf8')
        await shOk(`head -c ${4 * MiB} ${source}/src > ${m.mnt}/keep && sync ${m.mnt}/keep`)
        const baseline = memoryOf(m.pid()).rssBytes
        const fill = async (): Promise<void> => {
          await shOk(`head -c ${(await freeBytes(pool)) - 24 * MiB} /dev/zero > ${pool}/filler`)
        }

        // A file deleted while its blocks wait for room: they go with it, and writing goes on.
        await fill()
        const first = await sh(`dd if=${source}/src of=${m.mnt}/doomed bs=1M status=none`)
        assert.match(first.stderr, /No space left on device/)
        assert.equal((log().match(/no room to write blocks out/g) ?? []).length, 1, 'one line for the episode')
        assert.ok(log().split('\n').length < 20, `a short log:\n${log()}`)
        assert.ok(memoryOf(m.pid()).peakBytes - baseline < cacheBytes + 64 * MiB, 'memory stays within the cache')
        assert.equal(await shOk(`cmp ${m.mnt}/keep ${source}/src -n ${4 * MiB} && echo same`), 'same', 'reads go on')
        await shOk(`rm ${m.mnt}/doomed`)
        await eventually(() => /no block waits to be written any more: 0 written after failing, [1-9]\d* dropped with their files/.test(log()))

        // A file whose blocks wait for room: once there is some, they are written and writing resumes.
        const second = await sh(`dd if=${source}/src of=${m.mnt}/big bs=1M status=none`)
        assert.match(second.stderr, /No space left on device/)
        fs.rmSync(`${pool}/filler`)
        await eventually(async () => (await sh(`head -c ${MiB} /dev/zero > ${m.mnt}/after && sync ${m.mnt}/after`)).exitCode === 0)
        const accepted = fs.statSync(`${m.mnt}/big`).size
        assert.ok(accepted > 0, "big was written to before the pool filled")
        await m.remount()
        assert.equal(await shOk(`cmp ${m.mnt}/big ${source}/src -n ${accepted} && echo same`), 'same', 'what was accepted was written once there was room')
        assert.equal(fs.statSync(`${m.mnt}/big`).size, accepted)
      })
    })
  })

  it('a write pool with room for twice a file: rewriting it whole again and again never runs out of room', async () => {
    const MiB = 1024 * 1024
    const source = tempDir('shmr-test-shm-')
    await shOk(`head -c ${16 * MiB} /dev/urandom > ${source}/src`)
    await withSmallDisk('40m', async (pool) => {
      await withMount({blockSizeBytes: MiB, writeDriveDir: pool}, async (m) => {
        // Each rewrite supersedes all 16 blocks: with the old ones kept for a while, or their room
        // counted as taken until the next statfs, the third rewrite found no room.
        for (let round = 0; round < 10; round++) {
          const rewrite = await sh(`dd if=${source}/src of=${m.mnt}/f bs=1M conv=notrunc,fsync status=none`)
          assert.equal(rewrite.exitCode, 0, `rewrite ${round + 1}: ${rewrite.stderr}`)
        }
        assert.equal(await shOk(`cmp ${m.mnt}/f ${source}/src && echo same`), 'same')
      })
    })
  })
})

/** Resident and peak memory of a process. */
function memoryOf(pid: number): {rssBytes: number; peakBytes: number} {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8')
  const field = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)![1]) * 1024
  return {rssBytes: field('VmRSS'), peakBytes: field('VmHWM')}
}

/** Waits until `condition` holds, checking every 250 ms, for at most 30 s. */
async function eventually(condition: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 120; i++) {
    if (await condition()) return
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  assert.fail(`timed out waiting for ${condition}`)
}
