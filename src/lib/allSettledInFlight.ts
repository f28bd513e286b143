/**
 * Promise.allSettled of `work` over `items`, with at most `inFlight` of them running at once;
 * results in the items' order. Thousands of small files' flushes started together all stay alive
 * across the garbage collector's young-generation passes, which then copy and promote them: 25,000
 * files written out at once spent 1.8 s of the serving thread collecting, 0.2 s 32 at a time.
 */
export async function allSettledInFlight<T, R>(items: readonly T[], inFlight: number,
  work: (item: T) => Promise<R>): Promise<Array<PromiseSettledResult<R>>> {
  const results = new Array<PromiseSettledResult<R>>(items.length)
  let next = 0
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const at = next++
      try {
        results[at] = {status: 'fulfilled', value: await work(items[at]!)}
      } catch (reason) {
        results[at] = {status: 'rejected', reason}
      }
    }
  }
  await Promise.all(Array.from({length: Math.min(Math.max(1, inFlight), items.length)}, lane))
  return results
}
