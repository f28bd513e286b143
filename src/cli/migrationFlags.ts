import {Flags} from '@oclif/core'
import {parseSize} from '../lib/format/size.js'

/** The flags shift, rewrite and tier share: they all move blocks with the same engine. */
export const migrationFlags = {
  'dry-run': Flags.boolean({description: 'print the plan (files, blocks, space needed per drive) and change nothing'}),
  jobs: Flags.integer({description: 'blocks read and encoded at once, on worker threads', default: 1, min: 1, max: 64}),
  rate: Flags.string({description: 'cap the bytes per second written to the drives (like 80M)', helpValue: 'SIZE'}),
}

export const recursiveFlag = {
  recursive: Flags.boolean({char: 'r', description: 'a directory target stands for every file below it'}),
}

/** The bytes per second a --rate flag asks for, if any. */
export function rateOf(flag: string | undefined): number | undefined {
  return flag === undefined ? undefined : parseSize(flag, 'rate')
}
