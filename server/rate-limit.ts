/**
 * The rate limit on routes that need no sign-in (@fastify/rate-limit, route by route). Its counting
 * store is ours: the plugin's in-memory store hands every caller the same mutable counter, so under
 * a burst each request read the count after all the others had added theirs and every one was
 * refused — including the first. This one answers each request with the count as it was for it.
 */
import type { FastifyInstance } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import { AppError } from './errors';

interface Window {
  count: number;
  startedMs: number;
}

type Callback = (err: Error | null, res: { current: number; ttl: number }) => void;

/** Keys (client addresses) remembered per route; the oldest is forgotten first. */
const CAPACITY = 10_000;

/** Fixed windows per client key; constructed by the plugin (its options are not needed here). */
export class SnapshotStore {
  private readonly windows = new Map<string, Window>();

  incr(key: string, cb: Callback, timeWindow: number): void {
    const now = Date.now();
    let w = this.windows.get(key);
    if (!w || w.startedMs + timeWindow <= now) w = { count: 0, startedMs: now };
    w.count++;
    this.windows.delete(key);
    this.windows.set(key, w);
    if (this.windows.size > CAPACITY) this.windows.delete(this.windows.keys().next().value as string);
    cb(null, { current: w.count, ttl: w.startedMs + timeWindow - now });
  }

  read(key: string, cb: Callback, timeWindow: number): void {
    const now = Date.now();
    const w = this.windows.get(key);
    if (!w || w.startedMs + timeWindow <= now) cb(null, { current: 0, ttl: 0 });
    else cb(null, { current: w.count, ttl: w.startedMs + timeWindow - now });
  }

  /** Each route counts on its own. */
  child(): SnapshotStore {
    return new SnapshotStore();
  }
}

/** Registers the plugin for routes that ask for it in their config (`config.rateLimit`); others are not limited. */
export async function registerRateLimit(app: FastifyInstance): Promise<void> {
  await app.register(rateLimit, {
    global: false,
    store: SnapshotStore,
    errorResponseBuilder: (_req, c) => new AppError(429, 'too-many-requests', `Too many requests from your address; wait ${c.after} and try again.`),
  });
}
