/** A write that failed is tried again after 1 s, then 2 s, 4 s, and every 5 s from then on. */
const FIRST_RETRY_MS = 1000
const LONGEST_RETRY_MS = 5000

/** How long to wait before the next try, after `failures` (1 or more) failed tries in a row. */
export function retryDelayMs(failures: number): number {
  return Math.min(LONGEST_RETRY_MS, FIRST_RETRY_MS * 2 ** (failures - 1))
}
