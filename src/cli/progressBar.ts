import cliProgress from 'cli-progress'
import {formatSize} from '../lib/format/size.js'

export interface ByteProgress {
  /** Sets the bytes done so far. */
  update(doneBytes: number): void
  /** Adds to the bytes done. */
  add(bytes: number): void
  stop(): void
}

/**
 * A progress bar of bytes on stderr, with rate and ETA; nothing when stderr is not a terminal
 * (logs and pipes get the final report only).
 */
export function byteProgress(totalBytes: number, label: string): ByteProgress {
  if (!process.stderr.isTTY || totalBytes === 0) return {update: () => {}, add: () => {}, stop: () => {}}
  const startedMs = Date.now()
  const bar = new cliProgress.SingleBar({
    stream: process.stderr,
    format: `${label} {bar} {percentage}% | {doneText} of {totalText} | {rateText}/s | ETA {eta_formatted}`,
    hideCursor: true,
    etaBuffer: 50,
  }, cliProgress.Presets.shades_classic)
  bar.start(totalBytes, 0, {doneText: formatSize(0), totalText: formatSize(totalBytes), rateText: formatSize(0)})
  let done = 0
  const update = (doneBytes: number): void => {
    done = doneBytes
    const seconds = Math.max(0.001, (Date.now() - startedMs) / 1000)
    bar.update(doneBytes, {doneText: formatSize(doneBytes), rateText: formatSize(Math.round(doneBytes / seconds))})
  }
  return {update, add: (bytes) => update(done + bytes), stop: () => bar.stop()}
}

/** A progress bar that appears once its total is known; `start` is ignored when disabled. */
export interface LazyProgress {
  start(totalBytes: number): void
  update(doneBytes: number): void
  add(bytes: number): void
}

/**
 * Runs `work` with a byte progress bar it starts when it knows the total (if `enabled`: not for
 * --json or dry runs) and advances; the bar is stopped however `work` ends.
 */
export async function withProgress<T>(label: string, enabled: boolean, work: (progress: LazyProgress) => Promise<T>): Promise<T> {
  let bar: ByteProgress | undefined
  try {
    return await work({
      start: (totalBytes) => { if (enabled) bar = byteProgress(totalBytes, label) },
      update: (doneBytes) => bar?.update(doneBytes),
      add: (bytes) => bar?.add(bytes),
    })
  } finally {
    bar?.stop()
  }
}
