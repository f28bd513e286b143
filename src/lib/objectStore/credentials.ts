import fs from 'node:fs'
import {ShmrError} from '../errors.js'
import type {ObjectStoreConfig} from '../config/types.js'

/** An object store's keys: held in memory only, never logged, printed or put in `--json`. */
export interface Credentials {
  readonly accessKey: string
  readonly secretKey: string
}

/**
 * A store's credentials: from its `credentialsFile` (`accessKey = ...` and `secretKey = ...`
 * lines; `#` comments), which only its owner may read or write and which must belong to this
 * user or root, or else from $AWS_ACCESS_KEY_ID and $AWS_SECRET_ACCESS_KEY, the names every S3
 * tool reads.
 */
export function readCredentials(store: ObjectStoreConfig): Credentials {
  if (store.credentialsFile === undefined) {
    const accessKey = process.env.AWS_ACCESS_KEY_ID
    const secretKey = process.env.AWS_SECRET_ACCESS_KEY
    if (!accessKey || !secretKey) {
      throw new ShmrError('BAD_CONFIG', `object store ${store.name} has no credentials`, {
        hint: 'set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or give the store a credentialsFile (mode 600)',
      })
    }
    return {accessKey, secretKey}
  }
  const file = store.credentialsFile
  let stats: fs.Stats
  let text: string
  try {
    stats = fs.statSync(file)
    text = fs.readFileSync(file, 'utf8')
  } catch (error) {
    throw new ShmrError('BAD_CONFIG', `object store ${store.name}: cannot read credentials file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`)
  }
  if ((stats.mode & 0o077) !== 0) {
    throw new ShmrError('BAD_CONFIG', `object store ${store.name}: credentials file ${file} can be read by others (mode ${(stats.mode & 0o777).toString(8)})`, {hint: `chmod 600 ${file}`})
  }
  const uid = process.getuid?.()
  if (uid !== undefined && stats.uid !== uid && stats.uid !== 0) {
    throw new ShmrError('BAD_CONFIG', `object store ${store.name}: credentials file ${file} belongs to another user (uid ${stats.uid})`, {hint: `chown ${uid} ${file}`})
  }
  const values = new Map<string, string>()
  for (const line of text.split('\n')) {
    const match = /^\s*([A-Za-z]+)\s*[=:]\s*(\S+)\s*$/.exec(line)
    if (match) values.set(match[1]!, match[2]!)
  }
  const accessKey = values.get('accessKey')
  const secretKey = values.get('secretKey')
  if (!accessKey || !secretKey) {
    throw new ShmrError('BAD_CONFIG', `object store ${store.name}: credentials file ${file} needs an accessKey line and a secretKey line`)
  }
  return {accessKey, secretKey}
}
