import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

const made: string[] = []
// Removed at process exit rather than in an `after` hook: a hook registered from inside a
// `before` hook would run as soon as that hook ends.
process.on('exit', () => {
  for (const dir of made) {
    try {
      fs.rmSync(dir, {recursive: true, force: true})
    } catch {
      // A mount a failed test left in it (the test says so); the others still go.
    }
  }
})

/** A fresh directory under the system temp dir, removed when the test process exits. */
export function tempDir(prefix = 'shmr-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix))
  made.push(dir)
  return dir
}

/** Deterministic pseudo-random bytes (xorshift), so a failing test fails the same way again. */
export function patternBytes(length: number, seed = 1): Buffer {
  const bytes = Buffer.allocUnsafe(length)
  let state = (seed * 2654435761) >>> 0 || 1
  for (let i = 0; i < length; i++) {
    state ^= state << 13
    state ^= state >>> 17
    state ^= state << 5
    bytes[i] = state & 0xff
  }
  return bytes
}

/** Every subset of {0..n-1} with at most `k` members, smallest first. */
export function subsetsUpTo(n: number, k: number): number[][] {
  const result: number[][] = [[]]
  for (let size = 1; size <= k; size++) {
    const pick = (start: number, chosen: number[]): void => {
      if (chosen.length === size) return void result.push([...chosen])
      for (let i = start; i < n; i++) pick(i + 1, [...chosen, i])
    }
    pick(0, [])
  }
  return result
}
