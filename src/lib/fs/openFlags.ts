import {constants} from 'node:fs'

/** The parts of open(2) flags the data path acts on. */
export interface OpenMode {
  readonly write: boolean
  readonly writeOnly: boolean
  readonly append: boolean
  readonly truncate: boolean
}

/** O_ACCMODE, which node:fs does not export. */
const ACCESS_MODE = 3

export function openMode(flags: number): OpenMode {
  const access = flags & ACCESS_MODE
  return {
    writeOnly: access === constants.O_WRONLY,
    write: access === constants.O_WRONLY || access === constants.O_RDWR,
    append: (flags & constants.O_APPEND) !== 0,
    truncate: (flags & constants.O_TRUNC) !== 0,
  }
}
