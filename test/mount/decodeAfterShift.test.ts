import assert from 'node:assert/strict'
import fs from 'node:fs'
import {describe, it} from 'node:test'
import {shmr} from '../helpers/cli.js'
import {shOk, withMount} from '../helpers/mounted.js'
import {tempDir} from '../helpers/tempDir.js'

describe('decode after shift', () => {
  it('rebuilds files written through the mount and shifted, from the archive drives alone, metadata gone', async () => {
    await withMount({blockSizeBytes: 64 * 1024, archiveBlockSizeBytes: 256 * 1024}, async (m) => {
      const source = tempDir()
      await shOk(`head -c 3000001 /dev/urandom > ${source}/a && head -c 70000 /dev/urandom > ${source}/b && cp ${source}/a ${source}/b ${m.mnt}/`)
      await m.unmount()
      const shifted = await shmr(['shift', '-c', m.config.file, '/a', '/b'])
      assert.equal(shifted.exitCode, 0, shifted.stderr)
      fs.rmSync(m.config.metadataDir, {recursive: true})
      const drives = m.config.pools[1]!.drives.map((drive) => drive.dir!)
      const list = await shmr(['decode', '--list', '--json', ...drives])
      const files = JSON.parse(list.stdout) as Array<{fileId: number; sizeBytes: number; health: string}>
      assert.deepEqual(files.map((file) => [file.sizeBytes, file.health]).sort(), [[3000001, 'complete'], [70000, 'complete']].sort())
      for (const [name, size] of [['a', 3000001], ['b', 70000]] as const) {
        const id = files.find((file) => file.sizeBytes === size)!.fileId
        const out = `${tempDir()}/${name}`
        const decoded = await shmr(['decode', ...drives, '--file', String(id), '-o', out])
        assert.equal(decoded.exitCode, 0, decoded.stderr)
        assert.equal(await shOk(`cmp ${source}/${name} ${out} && echo same`), 'same')
      }
      // The mount's unmount in withMount finds no server: the metadata is gone, which is the point.
      fs.mkdirSync(m.config.metadataDir)
    })
  })
})
