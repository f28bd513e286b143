/**
 * Times are milliseconds since the epoch, as floats (stores before format 3 kept sub-millisecond
 * fractions in them, to about 0.2 us at today's dates). A time set to the nanosecond (utimensat,
 * `touch -d`, `tar -x`, `rsync -t`) keeps whole milliseconds there and the nanoseconds past them
 * beside it, as [the milliseconds they belong to, nanoseconds]: they count only while the time
 * is still that value, so code that sets a time of its own (now) need not know of them.
 */
export type NanosPast = readonly [ms: number, ns: number]

/** A time to the nanosecond: whole milliseconds and the nanoseconds past them. */
export interface ExactTime {
  readonly ms: number
  readonly ns: number
}

/** Nanoseconds past `ms` that `exact` holds for it (0 when it belongs to an earlier value). */
export function nanosPast(ms: number, exact: NanosPast | undefined): number {
  return exact !== undefined && exact[0] === ms ? exact[1] : 0
}

/** A timespec (seconds, nanoseconds) as an ExactTime. */
export function fromTimespec(seconds: number, nanoseconds: number): ExactTime {
  return {ms: seconds * 1000 + Math.floor(nanoseconds / 1e6), ns: nanoseconds % 1e6}
}

/** An ExactTime as a timespec: whole seconds, and the nanoseconds past them (0-999999999). */
export function toTimespec(ms: number, nsPast: number): {seconds: number; nanoseconds: number} {
  const seconds = Math.floor(ms / 1000)
  return {seconds, nanoseconds: Math.min(999_999_999, Math.round((ms - seconds * 1000) * 1e6) + nsPast)}
}
