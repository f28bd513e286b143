import fs from 'node:fs/promises'

/** One line of /proc/self/mountinfo, the parts shmr reads. */
export interface MountEntry {
  /** The mount's st_dev as MAJOR:MINOR: a FUSE mount's backing device info is named by it in sysfs. */
  readonly device: string
  readonly mountpoint: string
  /** `fuse.shmr` for a shmr mount. */
  readonly fsType: string
  /** The mount's source: `shmr:METADATA-DIR-NAME` for a shmr mount. */
  readonly source: string
}

/**
 * The mount at `mountpoint` now, read from /proc/self/mountinfo (async: never block the serving
 * thread). Of mounts stacked on one path, the last listed is the one on top.
 */
export async function findMount(mountpoint: string): Promise<MountEntry | undefined> {
  return (await readMounts()).filter((mount) => mount.mountpoint === mountpoint).at(-1)
}

/** The mount points at or below `dir`, deepest first (the order to unmount them in). */
export async function mountsUnder(dir: string): Promise<string[]> {
  const inside = (await readMounts()).map((mount) => mount.mountpoint).filter((mountpoint) => mountpoint === dir || mountpoint.startsWith(`${dir}/`))
  return [...new Set(inside)].sort((a, b) => b.length - a.length)
}

async function readMounts(): Promise<MountEntry[]> {
  const table = await fs.readFile('/proc/self/mountinfo', 'utf8')
  return table.split('\n').filter(Boolean).map((line) => {
    // Optional fields come before the lone "-"; the type and source follow it.
    const fields = line.split(' ')
    const separator = fields.indexOf('-', 6)
    return {
      device: fields[2] ?? '', mountpoint: unescapeMountPath(fields[4] ?? ''),
      fsType: fields[separator + 1] ?? '', source: unescapeMountPath(fields[separator + 2] ?? ''),
    }
  })
}

/** Whether `mountpoint` is a mount point now. */
export async function isMounted(mountpoint: string): Promise<boolean> {
  return (await findMount(mountpoint)) !== undefined
}

/** mountinfo escapes space, tab, newline and backslash as octal (\040…). */
function unescapeMountPath(text: string): string {
  return text.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)))
}
