/**
 * Per-organisation limiter: at most `perMinute` calls in any 60 seconds (Zoho allows 100; every
 * user and integration of the organisation shares them, so the default keeps a margin) and at
 * most `concurrency` calls at once (Free 5, paid plans 10). One limiter per organisation per process.
 */
import { realClock, type Clock } from './clock';

export interface LimiterOptions {
  perMinute?: number;
  concurrency?: number;
  clock?: Clock;
}

export class ZohoLimiter {
  readonly perMinute: number;
  readonly concurrency: number;
  private readonly clock: Clock;
  private readonly stamps: number[] = [];
  private active = 0;
  private readonly waiters: (() => void)[] = [];
  /** Set after a 45: nothing is sent before this time (epoch ms). */
  blockedUntil = 0;

  constructor(opts: LimiterOptions = {}) {
    this.perMinute = opts.perMinute ?? 90;
    this.concurrency = opts.concurrency ?? 10;
    this.clock = opts.clock ?? realClock;
  }

  /** Waits for a slot; call release() when the call is over. */
  async acquire(): Promise<void> {
    for (;;) {
      const now = this.clock.now();
      while (this.stamps.length && now - this.stamps[0] >= 60_000) this.stamps.shift();
      if (this.active < this.concurrency && this.stamps.length < this.perMinute) {
        this.active++;
        this.stamps.push(now);
        return;
      }
      if (this.active >= this.concurrency) await new Promise<void>((r) => this.waiters.push(r));
      else await this.clock.sleep(this.stamps[0] + 60_000 - now);
    }
  }

  release(): void {
    this.active = Math.max(0, this.active - 1);
    this.waiters.shift()?.();
  }

  /** Runs fn inside a slot. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await fn();
    } finally {
      this.release();
    }
  }
}

const shared = new Map<string, ZohoLimiter>();
/** The process-wide limiter of one organisation. */
export function limiterFor(organizationId: string, opts: LimiterOptions = {}): ZohoLimiter {
  let l = shared.get(organizationId);
  if (!l) shared.set(organizationId, (l = new ZohoLimiter(opts)));
  return l;
}
