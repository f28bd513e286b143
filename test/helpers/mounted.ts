import fs from 'node:fs'
import path from 'node:path'
import {execa} from 'execa'
import type {ShmrConfig} from '../../src/lib/config/types.js'
import {initFilesystem} from '../../src/lib/init/initFilesystem.js'
import {ExclusiveLock} from '../../src/lib/meta/exclusiveLock.js'
import {shmr} from './cli.js'
import {fixtureConfig, type FixtureOptions} from './fixtureFs.js'
import {tempDir} from './tempDir.js'

export interface MountedFs {
  readonly config: ShmrConfig
  readonly mnt: string
  /** The server's PID (a child of the test's `shmr mount --background`). */
  pid(): number
  unmount(): Promise<void>
  mount(): Promise<void>
  remount(): Promise<void>
  /** kill -9 of the server, as a crash stops it: the mount is left dead until `mountAfterKill`. */
  kill(): void
  /** Detaches the dead mount a kill left behind and mounts again. */
  mountAfterKill(): Promise<void>
}

/** Runs a shell command (bash -c) against the mount; never throws on a non-zero exit. */
export async function sh(script: string, cwd?: string): Promise<{exitCode: number; stdout: string; stderr: string}> {
  const result = await execa('bash', ['-c', script], {cwd, reject: false, stdin: 'ignore'})
  return {exitCode: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr)}
}

/** Like `sh`, but fails the test (with the output) when the command fails. */
export async function shOk(script: string, cwd?: string): Promise<string> {
  const result = await sh(script, cwd)
  if (result.exitCode !== 0) throw new Error(`command failed (${result.exitCode}): ${script}\n${result.stdout}\n${result.stderr}`)
  return result.stdout
}

async function mount(config: ShmrConfig): Promise<void> {
  const result = await shmr(['mount', '-c', config.file, '--background'])
  if (result.exitCode !== 0) throw new Error(`mount failed: ${result.stderr}`)
}

/** Tears a mount down whatever state it is in: politely, then by fusermount and SIGKILL of our own server. */
async function forceUnmount(config: ShmrConfig): Promise<void> {
  const holder = ExclusiveLock.holder(config.metadataDir)
  if (holder?.purpose === 'mount') {
    const result = await shmr(['umount', '-c', config.file, '--timeout', '30'])
    if (result.exitCode === 0) return
    try {
      process.kill(holder.pid, 'SIGKILL')
    } catch {
      // Already gone.
    }
  }
  await execa('fusermount3', ['-u', config.mountpoint], {reject: false})
}

/**
 * Initialises a fixture filesystem, mounts it in a background server, runs `body`, and always
 * unmounts, even when the body fails.
 */
export async function withMount(options: FixtureOptions, body: (fsys: MountedFs) => Promise<void>): Promise<void> {
  const config = fixtureConfig(tempDir(), options)
  await initFilesystem(config)
  await mount(config)
  const mounted: MountedFs = {
    config,
    mnt: config.mountpoint,
    pid: () => ExclusiveLock.holder(config.metadataDir)!.pid,
    unmount: async () => {
      const result = await shmr(['umount', '-c', config.file])
      if (result.exitCode !== 0) throw new Error(`umount failed: ${result.stderr}`)
    },
    mount: () => mount(config),
    remount: async () => {
      await mounted.unmount()
      await mount(config)
    },
    kill: () => process.kill(mounted.pid(), 'SIGKILL'),
    mountAfterKill: async () => {
      await execa('fusermount3', ['-u', config.mountpoint], {reject: false})
      await mount(config)
    },
  }
  let bodyFailed = true
  try {
    await body(mounted)
    bodyFailed = false
  } finally {
    await forceUnmount(config)
    // Whatever the body did, the mount must be gone now: a server that exits without unmounting
    // leaves a dead mount behind (it did, when a block could not be written out at stop).
    const leftBehind = fs.readFileSync('/proc/mounts', 'utf8').split('\n').some((line) => line.split(' ')[1] === config.mountpoint)
    if (leftBehind) {
      await execa('fusermount3', ['-uz', config.mountpoint], {reject: false})
      if (!bodyFailed) throw new Error(`the mount at ${config.mountpoint} was left behind after unmounting`)
    }
    const log = path.join(config.metadataDir, 'mount.log')
    if (fs.existsSync(log) && /background work failed|write failed|: (Error|TypeError|AssertionError)/.test(fs.readFileSync(log, 'utf8'))) {
      process.stderr.write(`server log of ${config.mountpoint}:\n${fs.readFileSync(log, 'utf8')}\n`)
    }
  }
}
