/**
 * Caps a byte rate: each `consume` books its bytes on a timeline advancing at `bytesPerSecond`
 * and waits until the timeline has caught up, so SMR drives see a steady stream, not bursts.
 */
export class RateLimiter {
  private bookedUntilMs = 0

  constructor(private readonly bytesPerSecond: number) {}

  async consume(bytes: number): Promise<void> {
    const nowMs = Date.now()
    this.bookedUntilMs = Math.max(this.bookedUntilMs, nowMs) + (bytes / this.bytesPerSecond) * 1000
    const waitMs = this.bookedUntilMs - nowMs
    if (waitMs > 1) await new Promise((resolve) => setTimeout(resolve, waitMs))
  }
}
