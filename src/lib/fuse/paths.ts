import path from 'node:path/posix'

/** Splits a FUSE path into the parent directory's path and the entry name. */
export function splitPath(filePath: string): {parentPath: string; name: string} {
  return {parentPath: path.dirname(filePath), name: path.basename(filePath)}
}
