import fs from 'node:fs/promises'
import path from 'node:path'
import {systemErrorCode} from '../errors.js'
import {DRIVE_DATA_DIR} from '../format/constants.js'

/**
 * Directories listed at once per drive. Small files each sit in a fan-out directory of their
 * own, so a listing is one readdir per file: with the page cache cold, 10,000 small files on six
 * drives listed in 8.0 s one readdir at a time, 3.0 s with 16 in flight per drive (2.9 s with 64).
 */
const LISTINGS_IN_FLIGHT = 16

/** Every file under a drive's data directory, as paths relative to the drive (none when it has no data directory). */
export async function listDataFiles(driveDir: string): Promise<string[]> {
  const files: string[] = []
  const queue = [DRIVE_DATA_DIR]
  let busy = 0
  await new Promise<void>((resolve, reject) => {
    const pump = (): void => {
      if (queue.length === 0 && busy === 0) return resolve()
      while (queue.length > 0 && busy < LISTINGS_IN_FLIGHT) {
        const dir = queue.pop()!
        busy++
        fs.readdir(path.join(driveDir, dir), {withFileTypes: true}).then((entries) => {
          for (const entry of entries) {
            const relative = `${dir}/${entry.name}`
            if (entry.isDirectory()) queue.push(relative)
            else if (entry.isFile()) files.push(relative)
          }
        }, (error: unknown) => {
          if (!(dir === DRIVE_DATA_DIR && systemErrorCode(error) === 'ENOENT')) throw error
        }).then(() => {
          busy--
          pump()
        }, reject)
      }
    }
    pump()
  })
  return files
}
