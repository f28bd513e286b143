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
        await shOk(`echo again > ${m.mnt}/again && mkdir ${m.mnt}/more`)
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
})
