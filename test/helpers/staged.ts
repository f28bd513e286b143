import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {MetaStore} from '../../src/lib/meta/metaStore.js'
import {SHMR_BIN} from './cli.js'

/**
 * Waits until a shift or rewrite running in another process has staged at least `min` blocks
 * (read-only beside it: LMDB lets readers in while a writer holds the store). Gives up after
 * `limitMs`; the caller asserts on what it got.
 */
export async function waitForStaged(metadataDir: string, min: number, limitMs = 30_000): Promise<number> {
  const store = await MetaStore.open(metadataDir, {readOnly: true})
  try {
    const deadline = Date.now() + limitMs
    let staged = 0
    while ((staged = store.staged.count()) < min && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50))
    return staged
  } finally {
    await store.close()
  }
}

/**
 * Runs `shmr ARGS` (a shift or rewrite slow enough to be caught half way) and sends it `signal`
 * (kill -9 by default) once it has staged a block; fails the test if it never did. Returns how it
 * ended and what it said on stderr.
 */
export async function killOnceStaged(metadataDir: string, args: readonly string[], signal: NodeJS.Signals = 'SIGKILL'):
  Promise<{exitCode: number | null; stderr: string}> {
  const child = spawn(process.execPath, [SHMR_BIN, ...args], {stdio: ['ignore', 'ignore', 'pipe']})
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)))
  try {
    assert.ok(await waitForStaged(metadataDir, 1) >= 1, `shmr ${args[0]} staged blocks`)
  } finally {
    child.kill(signal)
  }
  return {exitCode: await exited, stderr}
}
