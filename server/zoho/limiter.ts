/**
 * Per-organisation limiters: at most `perMinute` calls in any 60 seconds (Zoho allows 100; every
 * user and integration of the organisation shares them, so the default keeps a margin) and at
 * most `concurrency` calls at once (Free 5, paid plans 10). `SharedLimiter` keeps them in the store
 * for every process (the backend's); `ZohoLimiter` in memory (a simulated clock: the benchmark).
 */
import { realClock, type Clock } from './clock';

export interface LimiterOptions {
  perMinute?: number;
  concurrency?: number;
  clock?: Clock;
}

export class ZohoLimiter implements Limiter {
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

/** What the client needs of a limiter: run a call inside a slot, and the daily-limit block. */
export interface Limiter {
  readonly perMinute: number;
  readonly concurrency: number;
  /** Set after a 45: nothing is sent before this time (epoch ms). */
  blockedUntil: number;
  run<T>(fn: () => Promise<T>): Promise<T>;
}

/** The organisation's daily quota is used up (a block another process recorded in the store). */
export class LimiterBlocked extends Error {
  constructor(readonly until: number) {
    super(`Zoho's daily limit blocks calls until ${new Date(until).toISOString()}.`);
  }
}

interface StoreLike {
  readonly dialect: 'sqlite' | 'postgres';
  transaction<T>(fn: (tx: { one<R>(sql: string, params?: readonly unknown[]): Promise<R | undefined>; exec(sql: string, params?: readonly unknown[]): Promise<{ changes: number }> }) => Promise<T>): Promise<T>;
  exec(sql: string, params?: readonly unknown[]): Promise<{ changes: number }>;
}

/**
 * The organisation's limits kept in the store, so every process of the backend (several instances
 * on PostgreSQL, or one restarted after a crash) keeps Zoho's pace together: each call takes a slot
 * row (when it started; until when it is in flight — its deadline, or when it ended), at most
 * `perMinute` slots start in any 60 seconds and at most `concurrency` are in flight; a daily-limit
 * block is a row too. A process that dies mid-call frees its slot at the call's deadline.
 */
export class SharedLimiter implements Limiter {
  readonly perMinute: number;
  readonly concurrency: number;
  private cachedBlock = 0;
  private acquired = 0;

  constructor(
    private readonly store: StoreLike,
    private readonly organizationId: string,
    opts: { perMinute?: number; concurrency?: number; /** How long a call may stay in flight (the client's deadline). */ busyMs?: number } = {},
  ) {
    this.perMinute = opts.perMinute ?? 90;
    this.concurrency = opts.concurrency ?? 10;
    this.busyMs = (opts.busyMs ?? 60_000) + 5_000;
  }

  private readonly busyMs: number;

  get blockedUntil(): number {
    return this.cachedBlock;
  }

  set blockedUntil(until: number) {
    this.cachedBlock = until;
    // Every process sees the block (or its end: a resume sets 0). The writes go in the order they
    // were made (a resume's 0 must not be overtaken by the block before it), and a slot is only
    // taken once they are in; a failed write only loses the shortcut.
    this.blockWrites = this.blockWrites
      .then(() => this.store.exec('UPDATE zoho_rate_orgs SET blocked_until = $2 WHERE organization_id = $1', [this.organizationId, until]))
      .then(
        () => undefined,
        () => undefined,
      );
  }

  private blockWrites: Promise<void> = Promise.resolve();

  /** Takes a slot, waiting while the minute is full or too many calls are in flight; returns the slot's id. */
  async acquire(): Promise<string> {
    await this.blockWrites;
    const id = `${process.pid}:${Math.random().toString(36).slice(2)}:${++this.acquired}`;
    for (;;) {
      const now = Date.now();
      const r = await this.store.transaction(async (tx) => {
        await tx.exec('INSERT INTO zoho_rate_orgs (organization_id, blocked_until) VALUES ($1, 0) ON CONFLICT (organization_id) DO NOTHING', [this.organizationId]);
        // One process at a time decides for this organisation (SQLite transactions are exclusive already).
        const org = await tx.one<{ blocked_until: number | string }>(`SELECT blocked_until FROM zoho_rate_orgs WHERE organization_id = $1${this.store.dialect === 'postgres' ? ' FOR UPDATE' : ''}`, [this.organizationId]);
        const blocked = Number(org?.blocked_until ?? 0);
        if (blocked > now) return { blocked };
        if (this.acquired % 50 === 1) await tx.exec('DELETE FROM zoho_rate_calls WHERE organization_id = $1 AND at <= $2 AND busy_until <= $3', [this.organizationId, now - 60_000, now]);
        const c = await tx.one<{ window: number | string | null; oldest: number | string | null; busy: number | string | null }>(
          `SELECT SUM(CASE WHEN at > $2 THEN 1 ELSE 0 END) AS window, MIN(CASE WHEN at > $2 THEN at END) AS oldest, SUM(CASE WHEN busy_until > $3 THEN 1 ELSE 0 END) AS busy
           FROM zoho_rate_calls WHERE organization_id = $1`,
          [this.organizationId, now - 60_000, now],
        );
        const inWindow = Number(c?.window ?? 0);
        if (inWindow >= this.perMinute) return { wait: Number(c?.oldest ?? now) + 60_000 - now + 1 };
        if (Number(c?.busy ?? 0) >= this.concurrency) return { wait: 20 + Math.floor(Math.random() * 40) };
        await tx.exec('INSERT INTO zoho_rate_calls (id, organization_id, at, busy_until) VALUES ($1, $2, $3, $4)', [id, this.organizationId, now, now + this.busyMs]);
        return { ok: true };
      });
      if ('blocked' in r) {
        this.cachedBlock = r.blocked!;
        throw new LimiterBlocked(r.blocked!);
      }
      if ('ok' in r) return id;
      await new Promise((res) => setTimeout(res, Math.max(1, r.wait!)));
    }
  }

  async release(id: string): Promise<void> {
    await this.store.exec('UPDATE zoho_rate_calls SET busy_until = $2 WHERE id = $1', [id, Date.now()]).catch(() => undefined);
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    const id = await this.acquire();
    try {
      return await fn();
    } finally {
      await this.release(id);
    }
  }
}

const sharedByStore = new WeakMap<object, Map<string, SharedLimiter>>();
/** The store-backed limiter of one organisation (one object per store, organisation and limits in this process). */
export function sharedLimiterFor(store: StoreLike, organizationId: string, opts: { perMinute: number; concurrency: number; busyMs: number }): SharedLimiter {
  let m = sharedByStore.get(store);
  if (!m) sharedByStore.set(store, (m = new Map()));
  const key = `${organizationId}|${opts.perMinute}|${opts.concurrency}|${opts.busyMs}`;
  let l = m.get(key);
  if (!l) m.set(key, (l = new SharedLimiter(store, organizationId, opts)));
  return l;
}
