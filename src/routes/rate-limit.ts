/**
 * A token bucket: `burst` messages at once, refilled at `perSecond`. Work found only after a message
 * was taken is `charge`d: the bucket may go into debt, and later messages wait until it is repaid.
 * The clock is injectable for tests.
 */
export class RateLimiter {
  private tokens: number;
  private last: number;

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = burst;
    this.last = now();
  }

  take(): boolean {
    this.refill();
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Charges `units`; returns how long until `take` would succeed (see msUntilNext). */
  charge(units: number): number {
    this.refill();
    this.tokens -= units;
    return this.wait();
  }

  /** How long until `take` would succeed (0: now), any debt repaid first. */
  msUntilNext(): number {
    this.refill();
    return this.wait();
  }

  private wait(): number {
    return this.tokens >= 1 ? 0 : ((1 - this.tokens) / this.perSecond) * 1000;
  }

  private refill(): void {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.perSecond);
    this.last = now;
  }
}
