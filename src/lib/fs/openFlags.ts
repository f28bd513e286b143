import {constants} from 'node:fs'

/** The parts of open(2) flags the data path acts on. */
export interface OpenMode {
  readonly write: boolean
  readonly append: boolean
  readonly truncate: boolean
}

export function openMode(flags: number): OpenMode {
  const access = flags & 3
  return {
    write: access === constants.O_WRONLY || access === constants.O_RDWR,
    append: (flags & constants.O_APPEND) !== 0,
    truncate: (flags & constants.O_TRUNC) !== 0,
  }
}
