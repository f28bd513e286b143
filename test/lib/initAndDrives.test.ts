import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import {describe, it} from 'node:test'
import type {ShmrConfig} from '../../src/lib/config/types.js'
import {isShmrError} from '../../src/lib/errors.js'
import {DRIVE_IDENTITY_FILE, FORMAT_VERSION, ROOT_INODE} from '../../src/lib/format/constants.js'
import {initFilesystem} from '../../src/lib/init/initFilesystem.js'
import {MetaStore} from '../../src/lib/meta/metaStore.js'
import {PoolSet} from '../../src/lib/pools/poolSet.js'
import {fixtureConfig} from '../helpers/fixtureFs.js'
import {tempDir} from '../helpers/tempDir.js'

function withDriveDir(config: ShmrConfig, name: string, dir: string): ShmrConfig {
  return {...config, pools: config.pools.map((pool) => ({...pool, drives: pool.drives.map((drive) => (drive.name === name ? {name: drive.name, dir} : drive))}))}
}

async function superblockOf(config: ShmrConfig) {
  const store = await MetaStore.open(config.metadataDir, {readOnly: true})
  const superblock = store.superblock
  await store.close()
  return superblock
}

describe('init', () => {
  it('creates the superblock, root directory and an identity file per drive', async () => {
    const config = fixtureConfig(tempDir())
    const report = await initFilesystem(config)
    const store = await MetaStore.open(config.metadataDir)
    assert.equal(store.superblock.formatVersion, FORMAT_VERSION)
    assert.equal(store.superblock.uuid, report.uuid)
    assert.deepEqual(store.superblock.drives.map((drive) => drive.name), ['ssd0', 'smr0', 'smr1', 'smr2', 'smr3', 'smr4', 'smr5'])
    const root = store.inodes.getInode(ROOT_INODE)
    assert.equal(root.kind, 'dir')
    assert.equal(root.mode, 0o040755)
    assert.equal(root.nlink, 2)
    await store.close()
    for (const drive of config.pools.flatMap((pool) => pool.drives)) {
      const identity = JSON.parse(fs.readFileSync(path.join(drive.dir!, DRIVE_IDENTITY_FILE), 'utf8'))
      assert.equal(identity.filesystemUuid, report.uuid)
      assert.equal(identity.driveName, drive.name)
    }
  })

  it('ignores lost+found but refuses any other file in a drive directory, naming it', async () => {
    const config = fixtureConfig(tempDir())
    fs.mkdirSync(path.join(config.pools[1]!.drives[0]!.dir!, 'lost+found'))
    fs.writeFileSync(path.join(config.pools[1]!.drives[2]!.dir!, 'movie.mkv'), 'x')
    await assert.rejects(initFilesystem(config), (error) => isShmrError(error, 'NOT_EMPTY') &&
      /drive smr2: .*smr2 is not empty \(holds movie\.mkv\)/.test(error.message))
    assert.equal(fs.existsSync(path.join(config.pools[1]!.drives[0]!.dir!, DRIVE_IDENTITY_FILE)), false, 'nothing written before refusing')
    fs.rmSync(path.join(config.pools[1]!.drives[2]!.dir!, 'movie.mkv'))
    await initFilesystem(config)
  })

  it('refuses an existing filesystem, and a drive that already belongs to one', async () => {
    const config = fixtureConfig(tempDir())
    const report = await initFilesystem(config)
    await assert.rejects(initFilesystem(config), (error) => isShmrError(error, 'FS_EXISTS') && error.message.includes(config.metadataDir))
    const other = fixtureConfig(tempDir())
    const stolen = withDriveDir(other, 'smr3', config.pools[1]!.drives[3]!.dir!)
    await assert.rejects(initFilesystem(stolen), (error) => isShmrError(error, 'FS_EXISTS') &&
      error.message.includes(`already belongs to filesystem ${report.uuid}`))
  })

  it('refuses a non-empty metadata directory', async () => {
    const config = fixtureConfig(tempDir())
    fs.writeFileSync(path.join(config.metadataDir, 'notes.txt'), 'x')
    await assert.rejects(initFilesystem(config), (error) => isShmrError(error, 'NOT_EMPTY') && error.message.includes('metadata directory'))
  })
})

describe('drive identity at open', () => {
  it('opens when every drive is where the config says', async () => {
    const config = fixtureConfig(tempDir())
    await initFilesystem(config)
    const pools = await PoolSet.open(config, await superblockOf(config))
    assert.equal(pools.drivesById.size, 7)
    assert.equal(pools.writePool.name, 'write')
  })

  it('refuses drives mounted at swapped paths, naming the drive found', async () => {
    const config = fixtureConfig(tempDir())
    await initFilesystem(config)
    const [smr0, smr1] = config.pools[1]!.drives
    const swapped = withDriveDir(withDriveDir(config, 'smr0', smr1!.dir!), 'smr1', smr0!.dir!)
    const superblock = await superblockOf(config)
    await assert.rejects(() => PoolSet.open(swapped, superblock), (error) => isShmrError(error, 'DRIVE_MISPLACED') &&
      error.details.some((line) => /drive smr0: .*smr1 holds drive smr1 of this filesystem/.test(line)))
  })

  it('refuses a drive of another filesystem', async () => {
    const config = fixtureConfig(tempDir())
    await initFilesystem(config)
    const other = fixtureConfig(tempDir())
    await initFilesystem(other)
    const mixed = withDriveDir(config, 'smr4', other.pools[1]!.drives[4]!.dir!)
    const superblock = await superblockOf(config)
    await assert.rejects(() => PoolSet.open(mixed, superblock), (error) => isShmrError(error, 'DRIVE_FOREIGN') &&
      /drive smr4: .* belongs to another filesystem/.test(error.message))
  })

  it('refuses a missing drive, and lets it through as unavailable only when asked', async () => {
    const config = fixtureConfig(tempDir())
    await initFilesystem(config)
    const superblock = await superblockOf(config)
    fs.rmSync(config.pools[1]!.drives[2]!.dir!, {recursive: true})
    await assert.rejects(() => PoolSet.open(config, superblock), (error) => isShmrError(error, 'DRIVE_MISSING') && error.message.includes('smr2'))
    const pools = await PoolSet.open(config, superblock, {allowUnavailable: true})
    assert.deepEqual([...pools.unavailable].map((id) => pools.drive(id)!.name), ['smr2'])
  })

  it('refuses a config that drops or adds a drive', async () => {
    const config = fixtureConfig(tempDir())
    await initFilesystem(config)
    const superblock = await superblockOf(config)
    const dropped = {...config, pools: config.pools.map((pool) => ({...pool, drives: pool.drives.filter((drive) => drive.name !== 'smr5')}))}
    await assert.rejects(() => PoolSet.open(dropped, superblock), (error) => isShmrError(error, 'BAD_CONFIG') && /smr5 .* missing from the config/.test(error.message))
  })
})
