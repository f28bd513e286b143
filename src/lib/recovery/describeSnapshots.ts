import {formatSize} from '../format/size.js'
import type {SnapshotsWritten} from './driveSnapshots.js'

/**
 * One line on the metadata snapshot a command or an unmount left on the drives, for the server's
 * log and the commands' reports alike.
 */
export function describeSnapshotsWritten(written: SnapshotsWritten): string {
  const failed = written.failed.map(({drive, message}) => `; not on ${drive}: ${message}`).join('')
  if (written.written.length === 0) {
    return written.current.length === 0
      ? `metadata snapshot: no drive could take one${failed}`
      : `metadata snapshot ${written.seq} on ${written.current.length} drive(s) is current${failed}`
  }
  const also = written.current.length > 0 ? ` (current on ${written.current.length} more)` : ''
  return `metadata snapshot ${written.seq} (${formatSize(written.bytes)}) written to ${written.written.length} drive(s)${also} in ${written.seconds.toFixed(1)} s${failed}`
}
