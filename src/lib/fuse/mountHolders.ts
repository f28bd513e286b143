import fs from 'node:fs/promises'

/** A /proc/PID/maps line's file: address, permissions, offset, device and inode come first. */
const MAPPED_FILE = /^(?:\S+\s+){5}(\/.*)$/

/** A process keeping a mount busy, and how (as `fuser -m` would name it). */
export interface MountHolder {
  readonly pid: number
  /** The process's name (/proc/PID/comm). */
  readonly command: string
  /** `working directory`, `open file PATH`, `mapped file PATH`, `root directory`, `program`. */
  readonly how: string
}

/**
 * The processes holding something under `mountpoint`: a working or root directory, an open file,
 * a mapped file, their program. Read from /proc with readlink, which asks the kernel for the path
 * and never the filesystem, so the serving process itself may call it. Processes this user cannot
 * inspect are not listed.
 */
export async function mountHolders(mountpoint: string): Promise<MountHolder[]> {
  const under = (target: string | undefined): boolean => target !== undefined && (target === mountpoint || target.startsWith(`${mountpoint}/`))
  const pids = (await fs.readdir('/proc')).filter((name) => /^\d+$/.test(name)).map(Number).filter((pid) => pid !== process.pid)
  const holders: MountHolder[] = []
  for (const pid of pids) {
    const how: string[] = []
    const link = (name: string): Promise<string | undefined> => fs.readlink(`/proc/${pid}/${name}`).catch(() => undefined)
    if (under(await link('cwd'))) how.push('working directory')
    if (under(await link('root'))) how.push('root directory')
    const program = await link('exe')
    if (under(program)) how.push(`program ${program}`)
    const fds = await fs.readdir(`/proc/${pid}/fd`).catch(() => [] as string[])
    for (const fd of fds) {
      const target = await link(`fd/${fd}`)
      if (under(target)) how.push(`open file ${target}`)
    }
    const maps = await fs.readFile(`/proc/${pid}/maps`, 'utf8').catch(() => '')
    const mappedFiles = maps.split('\n').map((line) => MAPPED_FILE.exec(line)?.[1]).filter((file) => under(file)) as string[]
    for (const mapped of new Set(mappedFiles)) {
      if (mapped !== program) how.push(`mapped file ${mapped}`)
    }
    if (how.length === 0) continue
    const command = (await fs.readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '?')).trim()
    holders.push({pid, command, how: how.join(', ')})
  }
  return holders
}


/** One line naming the holders, the first few in full: `bash (PID 12: working directory), …`. */
export function describeHolders(holders: readonly MountHolder[]): string {
  const shown = holders.slice(0, 5).map((holder) => `${holder.command} (PID ${holder.pid}: ${holder.how})`)
  return holders.length > 5 ? `${shown.join(', ')} and ${holders.length - 5} more` : shown.join(', ')
}
