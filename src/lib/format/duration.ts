import {ShmrError} from '../errors.js'

const UNIT_MS: Record<string, number> = {ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000}

/** Parses `500ms`, `5s`, `2m`, `1h`, `7d` (a bare number is seconds) into milliseconds. */
export function parseDuration(text: string | number, what = 'duration'): number {
  if (typeof text === 'number' && Number.isFinite(text) && text >= 0) return text * 1000
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/.exec(String(text))
  if (!match) throw new ShmrError('BAD_ARGUMENT', `${what} "${text}" is not a duration`, {hint: 'write it like 500ms, 5s, 2m, 1h or 7d'})
  return Math.round(Number(match[1]) * UNIT_MS[match[2] ?? 's']!)
}

/** Exactly, in the largest unit that divides it (for configs written back). */
export function formatDuration(ms: number): string {
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`
  }
  return `${ms}ms`
}

/** Rounded, as a person reads a time left: 45s, 12m 5s, 3h 20m. */
export function formatRoughDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000))
  if (s < 60) return `${s}s`
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`
  return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`
}
