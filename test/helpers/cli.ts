import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {execa} from 'execa'

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..')
export const SHMR_BIN = path.join(REPO_ROOT, 'bin', 'run.js')

export interface CliResult {
  readonly exitCode: number
  readonly stdout: string
  readonly stderr: string
}

/** Runs the real `shmr` CLI in a child process; never throws on a non-zero exit. */
export async function shmr(args: readonly string[], options: {cwd?: string; env?: Record<string, string>} = {}): Promise<CliResult> {
  const result = await execa(process.execPath, [SHMR_BIN, ...args], {cwd: options.cwd, env: options.env, reject: false, stdin: 'ignore'})
  return {exitCode: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr)}
}

/** True when output looks like a stack trace leaked to the user. */
export function hasStackTrace(text: string): boolean {
  return /^\s+at .+\(.+:\d+:\d+\)$/m.test(text)
}
