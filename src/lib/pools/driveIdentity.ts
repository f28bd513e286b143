import fs from 'node:fs'
import path from 'node:path'
import {ShmrError, systemErrorCode} from '../errors.js'
import {DRIVE_IDENTITY_FILE} from '../format/constants.js'
import {replaceFile} from './durableFile.js'

/**
 * The small file `init` writes into every drive directory. At open it tells a drive mounted at
 * the wrong path, or a drive of another filesystem, from the right one.
 */
export interface DriveIdentity {
  readonly filesystemUuid: string
  readonly driveId: number
  readonly driveName: string
  readonly pool: string
  readonly formatVersion: number
}

export async function writeDriveIdentity(dir: string, identity: DriveIdentity): Promise<void> {
  await replaceFile(path.join(dir, DRIVE_IDENTITY_FILE), Buffer.from(`${JSON.stringify(identity, null, 2)}\n`))
}

/** The identity in `dir`, or undefined when the directory has none. Throws when it is unreadable. */
export function readDriveIdentity(dir: string): DriveIdentity | undefined {
  const file = path.join(dir, DRIVE_IDENTITY_FILE)
  let text: string
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch (error) {
    if (systemErrorCode(error) === 'ENOENT') return undefined
    throw new ShmrError('IO', `cannot read drive identity ${file}: ${(error as Error).message}`)
  }
  return parseDriveIdentity(text, file)
}

/** An identity file's text; CORRUPT (naming `where`) when it is not one. */
export function parseDriveIdentity(text: string, where: string): DriveIdentity {
  try {
    const parsed = JSON.parse(text) as DriveIdentity
    if (typeof parsed.filesystemUuid !== 'string' || typeof parsed.driveId !== 'number') throw new Error('fields missing')
    return parsed
  } catch {
    throw new ShmrError('CORRUPT', `drive identity ${where} is damaged`, {hint: 'restore it, or run `shmr verify --repair` to rewrite it'})
  }
}
