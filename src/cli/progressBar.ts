import cliProgress from 'cli-progress'
import {formatRoughDuration} from '../lib/format/duration.js'
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
    format: `${label} {bar} {percentage}% | {doneText} of {totalText} | {rateText}/s | ETA {etaText}`,
    hideCursor: true,
    etaBuffer: 50,
  }, cliProgress.Presets.shades_classic)
  // Until bytes move there is no rate to tell an ETA from: cli-progress would say "0s".
  bar.start(totalBytes, 0, {doneText: formatSize(0), totalText: formatSize(totalBytes), rateText: formatSize(0), etaText: '…'})
  let done = 0
  const update = (doneBytes: number): void => {
    done = doneBytes
    const seconds = Math.max(0.001, (Date.now() - startedMs) / 1000)
    const bytesPerSecond = doneBytes / seconds
    bar.update(doneBytes, {
      doneText: formatSize(doneBytes), rateText: formatSize(Math.round(bytesPerSecond)),
      etaText: doneBytes > 0 ? formatRoughDuration((totalBytes - doneBytes) / bytesPerSecond * 1000) : '…',
    })
  }
  return {update, add: (bytes) => update(done + bytes), stop: () => bar.stop()}
}

/** A progress bar that appears once its total is known; `start` is ignored when disabled. */
export interface LazyProgress {
  start(totalBytes: number): void
  update(doneBytes: number): void
  add(bytes: number): void
}

export interface LongWork {
  /** Whether to show a bar (not for --json or dry runs). */
  readonly bar: boolean
  /**
   * What Ctrl-C (or SIGTERM) leaves behind, said in one line before exiting 128 + the signal's
   * number: the engines are crash-safe at every instant, so stopping at once loses nothing.
   */
  readonly interrupted: string
}

const SIGNAL_NUMBERS = {SIGINT: 2, SIGTERM: 15} as const

/**
 * Runs `work` with a byte progress bar it starts when it knows the total (if `bar`) and advances;
 * the bar is stopped however `work` ends, a signal included.
 */
export async function withProgress<T>(label: string, options: LongWork, work: (progress: LazyProgress) => Promise<T>): Promise<T> {
  let bar: ByteProgress | undefined
  const onSignal = (signal: keyof typeof SIGNAL_NUMBERS): void => {
    bar?.stop()
    process.stderr.write(`shmr: ${label} interrupted: ${options.interrupted}\n`)
    process.exit(128 + SIGNAL_NUMBERS[signal])
  }
  for (const signal of Object.keys(SIGNAL_NUMBERS) as Array<keyof typeof SIGNAL_NUMBERS>) process.once(signal, onSignal)
  try {
    return await work({
      start: (totalBytes) => { if (options.bar) bar = byteProgress(totalBytes, label) },
      update: (doneBytes) => bar?.update(doneBytes),
      add: (bytes) => bar?.add(bytes),
    })
  } finally {
    bar?.stop()
    for (const signal of Object.keys(SIGNAL_NUMBERS)) process.removeListener(signal, onSignal)
  }
}
