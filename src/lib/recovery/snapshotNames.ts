import {SNAPSHOT_FILE_PREFIX} from '../format/constants.js'

/** A snapshot's header is read from its first bytes: this many (a header is a few hundred). */
export const HEADER_READ_BYTES = 4096

/** The seq a snapshot file's name gives, or undefined when the name is not a snapshot's. */
export function snapshotSeq(name: string): number | undefined {
  const match = new RegExp(`^${SNAPSHOT_FILE_PREFIX.replace('.', '\\.')}(\\d{1,15})$`).exec(name)
  return match ? Number(match[1]) : undefined
}

/** Snapshot file names, newest first. */
export function snapshotsIn(names: readonly string[]): Array<{name: string; seq: number}> {
  return names.flatMap((name) => {
    const seq = snapshotSeq(name)
    return seq === undefined ? [] : [{name, seq}]
  }).sort((a, b) => b.seq - a.seq)
}
