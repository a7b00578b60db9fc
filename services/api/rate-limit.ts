// Per-key token buckets: each key may burst `burst` requests, then `ratePerSecond`
// sustained. Pure over an injected clock so tests step time instead of sleeping.

export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

export interface RateDecision {
  allowed: boolean;
  /** Whole seconds until one token is back (0 when allowed), for `Retry-After`. */
  retryAfterSeconds: number;
  remaining: number;
}

export interface RateLimiterOptions {
  ratePerSecond: number;
  burst: number;
  clock?: Clock;
}

interface Bucket {
  tokens: number;
  at: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly rate: number;
  private readonly burst: number;
  private readonly clock: Clock;

  constructor(options: RateLimiterOptions) {
    if (!(options.ratePerSecond > 0) || !(options.burst >= 1)) throw new RangeError("rate must be > 0 and burst ≥ 1");
    this.rate = options.ratePerSecond;
    this.burst = options.burst;
    this.clock = options.clock ?? systemClock;
  }

  /** Takes one token from `key`'s bucket if it has one. */
  take(key: string): RateDecision {
    const now = this.clock.now();
    const bucket = this.buckets.get(key) ?? { tokens: this.burst, at: now };
    bucket.tokens = Math.min(this.burst, bucket.tokens + (Math.max(0, now - bucket.at) * this.rate) / 1000);
    bucket.at = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true, retryAfterSeconds: 0, remaining: Math.floor(bucket.tokens) };
    }
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / this.rate)), remaining: 0 };
  }
}
