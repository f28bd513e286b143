import {ShmrError} from '../errors.js'

const UNITS: Record<string, number> = {
  '': 1, B: 1,
  K: 1024, KB: 1024, KIB: 1024,
  M: 1024 ** 2, MB: 1024 ** 2, MIB: 1024 ** 2,
  G: 1024 ** 3, GB: 1024 ** 3, GIB: 1024 ** 3,
  T: 1024 ** 4, TB: 1024 ** 4, TIB: 1024 ** 4,
  P: 1024 ** 5, PB: 1024 ** 5, PIB: 1024 ** 5,
}

/**
 * Parses a byte size like `1M`, `64MiB`, `4T` or `65536`. Units are binary (1K = 1024) because
 * block sizes must be powers of two and users write `1M` meaning 1 MiB.
 */
export function parseSize(text: string | number, what = 'size'): number {
  if (typeof text === 'number') {
    if (Number.isSafeInteger(text) && text >= 0) return text
    throw new ShmrError('BAD_ARGUMENT', `${what} must be a whole number of bytes, got ${text}`)
  }
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text)
  const unit = match ? UNITS[match[2]!.toUpperCase()] : undefined
  if (!match || unit === undefined) {
    throw new ShmrError('BAD_ARGUMENT', `${what} "${text}" is not a size`, {hint: 'write it like 65536, 64K, 1M, 4G or 2T'})
  }
  const bytes = Number(match[1]) * unit
  if (!Number.isSafeInteger(bytes)) {
    throw new ShmrError('BAD_ARGUMENT', `${what} "${text}" is not a whole number of bytes`)
  }
  return bytes
}

/** Formats bytes for people: exact binary units where they fit (1M, 64K), else one decimal. */
export function formatSize(bytes: number): string {
  const units = ['', 'K', 'M', 'G', 'T', 'P']
  let value = bytes
  let index = 0
  while (value >= 1024 && index < units.length - 1) {
    value /= 1024
    index++
  }
  if (index === 0) return `${bytes}B`
  return Number.isInteger(value) ? `${value}${units[index]}` : `${value.toFixed(1)}${units[index]}`
}

/** Like formatSize when that is exact (64K, 1M), else the plain number of bytes: for files that are read back. */
export function formatSizeExact(bytes: number): string | number {
  const text = formatSize(bytes)
  return text.includes('.') ? bytes : text
}

export function isPowerOfTwo(n: number): boolean {
  return Number.isSafeInteger(n) && n > 0 && 2 ** Math.round(Math.log2(n)) === n
}
