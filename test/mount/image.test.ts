import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import {describe, it} from 'node:test'
import {shmr} from '../helpers/cli.js'
import {sh, shOk} from '../helpers/mounted.js'
import {tempDir} from '../helpers/tempDir.js'

const KiB = 1024
const MiB = 1024 * KiB

/** A demo in image mode, mounted for `body` and always unmounted. */
async function withImage(size: string, blockSize: string, body: (dir: string, mnt: string) => Promise<void>): Promise<void> {
  const dir = path.join(tempDir(), 'demo')
  const init = await shmr(['init', '--demo', dir, '--image', size, '--block-size', blockSize])
  assert.equal(init.exitCode, 0, init.stderr)
  const mounted = await shmr(['mount', '-c', `${dir}/shmr.yaml`, '--background'])
  assert.equal(mounted.exitCode, 0, mounted.stderr)
  try {
    await body(dir, `${dir}/mnt`)
  } finally {
    await shmr(['umount', '-c', `${dir}/shmr.yaml`])
    await sh(`fusermount3 -u ${dir}/mnt`)
  }
}

async function storedBytes(dir: string): Promise<number> {
  const result = await shmr(['inspect', 'topology', '-c', `${dir}/shmr.yaml`, '/disk.img', '--json'])
  return JSON.parse(result.stdout).storedBytes
}

describe('image mode', () => {
  it('holds one disk.img of exactly the size, refuses everything else, and stores only what was written', async () => {
    await withImage('1T', '1M', async (dir, mnt) => {
      assert.equal(await shOk(`ls -A ${mnt}`), 'disk.img')
      assert.equal(await shOk(`stat -c %s ${mnt}/disk.img`), String(1024 ** 4))
      for (const [command, pattern] of [
        [`rm ${mnt}/disk.img`, /Operation not permitted/], [`mv ${mnt}/disk.img ${mnt}/x`, /Operation not permitted/],
        [`truncate -s 1G ${mnt}/disk.img`, /Operation not permitted/], [`touch ${mnt}/other`, /Operation not permitted/],
        [`mkdir ${mnt}/d`, /Operation not permitted/], [`ln ${mnt}/disk.img ${mnt}/again`, /Operation not permitted/],
        [`dd if=/dev/zero of=${mnt}/disk.img bs=1M seek=$((1024*1024)) count=1 conv=notrunc status=none`, /No space left on device/],
      ] as const) {
        const result = await sh(command)
        assert.notEqual(result.exitCode, 0, command)
        assert.match(result.stderr, pattern, command)
      }
      // 3 MiB of random data at 30 scattered offsets: a handful of blocks, not gigabytes.
      const patch = `${tempDir()}/patch`
      await shOk(`head -c ${100 * KiB} /dev/urandom > ${patch}`)
      for (let i = 0; i < 30; i++) {
        await shOk(`dd if=${patch} of=${mnt}/disk.img bs=100k seek=${i * 337_133} conv=notrunc status=none`)
      }
      await shOk(`sync ${mnt}/disk.img`)
      const stored = await storedBytes(dir)
      assert.ok(stored <= 60 * MiB, `stored ${stored} bytes for 3 MiB written`)
      // Zeroing a whole block frees it.
      const before = stored
      await shOk(`dd if=/dev/zero of=${mnt}/disk.img bs=1M seek=${Math.floor((5 * 337_133 * 100 * KiB) / MiB)} count=1 conv=notrunc,fsync status=none`)
      assert.ok(await storedBytes(dir) < before, 'a block written all-zero is no longer stored')
      const region = `dd if=${mnt}/disk.img bs=100k skip=${7 * 337_133} count=1 status=none | sha256sum`
      const digest = await shOk(region)
      await shOk(`cmp <(dd if=${mnt}/disk.img bs=100k skip=${29 * 337_133} count=1 status=none) ${patch}`)
      await shmr(['umount', '-c', `${dir}/shmr.yaml`])
      assert.equal((await shmr(['mount', '-c', `${dir}/shmr.yaml`, '--background'])).exitCode, 0)
      assert.equal(await shOk(region), digest, 'the same after remount')
      const overview = JSON.parse((await shmr(['inspect', 'overview', '-c', `${dir}/shmr.yaml`, '--json'])).stdout)
      assert.ok(overview.holeBytes > 1024 ** 4 - 64 * MiB, 'overview shows the image as nearly all holes')
    })
  })

  it('shifts to the archive, verifies, and decodes to a sparse file of the image\'s size', async () => {
    await withImage('64M', '64K', async (dir, mnt) => {
      const patch = `${tempDir()}/patch`
      await shOk(`head -c 200000 /dev/urandom > ${patch} && dd if=${patch} of=${mnt}/disk.img bs=4k seek=1000 conv=notrunc,fsync status=none`)
      const digest = (await shOk(`sha256sum < ${mnt}/disk.img`)).split(' ')[0]
      await shmr(['umount', '-c', `${dir}/shmr.yaml`])
      const shifted = await shmr(['shift', '-c', `${dir}/shmr.yaml`, '/disk.img', '--json'])
      assert.equal(shifted.exitCode, 0, shifted.stderr)
      assert.equal((await shmr(['verify', '-c', `${dir}/shmr.yaml`])).exitCode, 0)
      const out = `${tempDir()}/disk.img`
      const drives = [0, 1, 2, 3, 4, 5].map((i) => `${dir}/archive/smr${i}`)
      const decoded = await shmr(['decode', ...drives, '--size', '64M', '-o', out])
      assert.equal(decoded.exitCode, 0, decoded.stderr)
      assert.equal(fs.statSync(out).size, 64 * MiB)
      assert.ok(fs.statSync(out).blocks * 512 <= 2 * MiB, 'holes were seeked over, not written')
      assert.equal((await shOk(`sha256sum < ${out}`)).split(' ')[0], digest)
    })
  })

  it('carries an ext4 filesystem on a loop device, intact across an unmount of shmr', async (t) => {
    if (!fs.existsSync('/dev/loop-control')) return t.skip('no /dev/loop-control: loop devices are not available here')
    const tree = tempDir()
    await shOk(`mkdir -p ${tree}/src/sub && head -c 3000000 /dev/urandom > ${tree}/src/big && echo hello > ${tree}/src/sub/small && ln -s big ${tree}/src/link`)
    const ext4 = tempDir()
    await withImage('256M', '64K', async (dir, mnt) => {
      let loop = ''
      try {
        loop = (await shOk(`losetup -f --show ${mnt}/disk.img`)).trim()
        await shOk(`mkfs.ext4 -q -F ${loop} && mount ${loop} ${ext4} && cp -a ${tree}/src ${ext4}/ && umount ${ext4}`)
        await shOk(`fsck.ext4 -f -n ${loop}`)
        await shOk(`losetup -d ${loop}`)
        loop = ''
        await shmr(['umount', '-c', `${dir}/shmr.yaml`])
        const stored = await storedBytes(dir)
        assert.ok(stored < 64 * MiB, `stored ${stored} bytes of a 256 MiB image holding a 3 MB tree`)
        assert.equal((await shmr(['mount', '-c', `${dir}/shmr.yaml`, '--background'])).exitCode, 0)
        loop = (await shOk(`losetup -f --show ${mnt}/disk.img`)).trim()
        await shOk(`fsck.ext4 -f -n ${loop}`)
        await shOk(`mount -o ro ${loop} ${ext4}`)
        try {
          await shOk(`diff -r ${tree}/src ${ext4}/src && readlink ${ext4}/src/link`)
        } finally {
          await sh(`umount ${ext4}`)
        }
      } finally {
        await sh(`mountpoint -q ${ext4} && umount ${ext4}`)
        if (loop) await sh(`losetup -d ${loop}`)
      }
    })
  })

  it('frees the blocks of a file deleted in the filesystem on the image when it discards them (fstrim)', async (t) => {
    if (!fs.existsSync('/dev/loop-control')) return t.skip('no /dev/loop-control: loop devices are not available here')
    const ext4 = tempDir()
    await withImage('256M', '64K', async (dir, mnt) => {
      let loop = ''
      const remount = async (): Promise<void> => {
        assert.equal((await shmr(['mount', '-c', `${dir}/shmr.yaml`, '--background'])).exitCode, 0)
      }
      try {
        loop = (await shOk(`losetup -f --show ${mnt}/disk.img`)).trim()
        await shOk(`mkfs.ext4 -q -F -E nodiscard ${loop} && mount ${loop} ${ext4} && head -c 40000000 /dev/urandom > ${ext4}/big && umount ${ext4}`)
        await shOk(`losetup -d ${loop}`)
        loop = ''
        await shmr(['umount', '-c', `${dir}/shmr.yaml`])
        const full = await storedBytes(dir)
        assert.ok(full > 40_000_000, `stored ${full} bytes with a 40 MB file on the image`)
        await remount()
        loop = (await shOk(`losetup -f --show ${mnt}/disk.img`)).trim()
        // ext4 trims blocks a file freed only once the deletion has committed: hence the sync.
        await shOk(`mount ${loop} ${ext4} && rm ${ext4}/big && sync && fstrim ${ext4} && umount ${ext4} && fsck.ext4 -f -n ${loop}`)
        await shOk(`losetup -d ${loop}`)
        loop = ''
        await shmr(['umount', '-c', `${dir}/shmr.yaml`])
        const trimmed = await storedBytes(dir)
        assert.ok(trimmed < full - 35_000_000, `stored ${trimmed} bytes after fstrim (${full} before)`)
        await remount()
      } finally {
        await sh(`mountpoint -q ${ext4} && umount ${ext4}`)
        if (loop) await sh(`losetup -d ${loop}`)
      }
    })
  })
})
