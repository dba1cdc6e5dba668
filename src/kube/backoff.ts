// Exponential backoff with jitter for list/watch retries (client-go's reflector
// uses 800 ms doubling up to 30 s). The streak resets once the last failure is
// older than resetMs, i.e. after the watch has been healthy for a while.

export interface BackoffConfig {
  initialMs: number;
  maxMs: number;
  /** Quiet time after which the next failure starts again from initialMs. */
  resetMs: number;
  /** Extra random fraction added to each delay (0 = none). */
  jitter: number;
}

export const DEFAULT_BACKOFF: BackoffConfig = { initialMs: 800, maxMs: 30_000, resetMs: 120_000, jitter: 1 };

export class Backoff {
  private attempt = 0;
  private lastFailureMs = -Infinity;

  constructor(
    private readonly cfg: BackoffConfig = DEFAULT_BACKOFF,
    private readonly now: () => number = Date.now,
    private readonly random: () => number = Math.random,
  ) {}

  /** Records a failure and returns how long to wait before retrying. */
  next(): number {
    const t = this.now();
    if (t - this.lastFailureMs > this.cfg.resetMs) this.attempt = 0;
    this.lastFailureMs = t;
    const base = Math.min(this.cfg.maxMs, this.cfg.initialMs * 2 ** this.attempt);
    this.attempt = Math.min(this.attempt + 1, 30);
    return Math.min(this.cfg.maxMs, base * (1 + this.cfg.jitter * this.random()));
  }
}
