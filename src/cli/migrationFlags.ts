import os from 'node:os'
import {Flags} from '@oclif/core'
import {parseSize} from '../lib/format/size.js'
import type {LongWork} from './progressBar.js'

/** The flags shift, rewrite and tier share: they all move blocks with the same engine. */
export const migrationFlags = {
  'dry-run': Flags.boolean({description: 'print the plan (files, blocks, space needed per drive) and change nothing', default: false}),
  jobs: Flags.integer({description: 'blocks read and encoded at once (default: one per CPU core)', min: 1, max: 64}),
  rate: Flags.string({description: 'cap the bytes per second written to the drives (like 80M)', helpValue: 'SIZE'}),
}

export const recursiveFlag = {
  recursive: Flags.boolean({char: 'r', description: 'a directory target stands for every file below it'}),
}

/**
 * The --jobs to use: as asked, else one per CPU core (reading, encoding and writing overlap, so
 * the default keeps every core busy; --rate is the way to go easy on the drives).
 */
export function jobsOf(flag: number | undefined): number {
  return flag ?? Math.min(64, os.availableParallelism())
}

/** The bytes per second a --rate flag asks for, if any. */
export function rateOf(flag: string | undefined): number | undefined {
  return flag === undefined ? undefined : parseSize(flag, 'rate')
}

/**
 * How shift, rewrite and tier run: a bar unless --json or --dry-run, and what Ctrl-C leaves (the
 * engine is crash-safe at every instant: a file is swapped in whole or not at all).
 */
export function migrationWork(dryRun: boolean, json: boolean): LongWork {
  return {
    bar: !dryRun && !json,
    interrupted: dryRun ? 'nothing was changed'
      : 'nothing is lost: every file reads as before or is already moved, and blocks written so far are kept; run the same command again to resume',
  }
}
