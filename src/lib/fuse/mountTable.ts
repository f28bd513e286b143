import fs from 'node:fs/promises'

/** Whether `mountpoint` is a mount point now, read from /proc/self/mountinfo (async: never block the serving thread). */
export async function isMounted(mountpoint: string): Promise<boolean> {
  const table = await fs.readFile('/proc/self/mountinfo', 'utf8')
  return table.split('\n').some((line) => unescapeMountPath(line.split(' ')[4] ?? '') === mountpoint)
}

/** mountinfo escapes space, tab, newline and backslash as octal (\040…). */
function unescapeMountPath(text: string): string {
  return text.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)))
}
