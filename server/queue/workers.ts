/**
 * The workers that take batch items from the queue (claims.ts): one per process (the server — its
 * posting and delivery both —, a `closedesk post` or `deliver` run), registered in the store with a
 * heartbeat. The heartbeat extends the lease of every item the worker holds; a worker that stops
 * beating is gone, and its leases run out after the lease time, when any other worker may take its
 * items (after the job's look-up rule for work that may be in flight: a Zoho write's deadline, a
 * file's final name on the partner's server).
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { placeholders, type Queryable, type Store } from '../store';
import { nowIso } from '../store/ids';

export interface QueueWorker {
  /** host:pid:random — unique even when a container reuses a pid. */
  id: string;
  host: string;
  pid: number;
  /** How long a lease lasts without a heartbeat; the heartbeat runs every third of it. */
  leaseMs: number;
}

export const DEFAULT_LEASE_MS = 30_000;

export function newWorker(leaseMs = DEFAULT_LEASE_MS): QueueWorker {
  const host = os.hostname();
  return { id: `${host}:${process.pid}:${randomBytes(3).toString('hex')}`, host, pid: process.pid, leaseMs };
}

/** The lease end a heartbeat now gives (ISO text, compared as text like every stored time). */
export const leaseEnd = (w: QueueWorker, from = Date.now()): string => new Date(from + w.leaseMs).toISOString();

export async function registerWorker(db: Store | Queryable, w: QueueWorker): Promise<void> {
  const at = nowIso();
  await db.exec(
    `INSERT INTO posting_workers (id, host, pid, lease_ms, started_at, heartbeat_at) VALUES ($1, $2, $3, $4, $5, $5)
     ON CONFLICT (id) DO UPDATE SET heartbeat_at = $5, stopped_at = NULL`,
    [w.id, w.host, w.pid, w.leaseMs, at],
  );
}

/** The heartbeat: the worker is alive, and every item it holds stays leased for another lease time. */
export async function beat(db: Store | Queryable, w: QueueWorker): Promise<void> {
  const now = Date.now();
  await db.exec('UPDATE posting_workers SET heartbeat_at = $2 WHERE id = $1', [w.id, new Date(now).toISOString()]);
  await db.exec("UPDATE batch_items SET lease_until = $2 WHERE lease_owner = $1 AND state IN ('pending', 'sending')", [w.id, leaseEnd(w, now)]);
}

/** A worker that stops on purpose gives its items back at once (a graceful restart waits for nobody). */
export async function retireWorker(db: Store | Queryable, w: QueueWorker): Promise<void> {
  await db.exec('UPDATE batch_items SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = $1', [w.id]);
  await db.exec('UPDATE posting_workers SET stopped_at = $2 WHERE id = $1', [w.id, nowIso()]);
}

/** Registers the worker and beats every third of its lease until stopped; stop() retires it. */
export function startHeartbeat(store: Store, w: QueueWorker, onError: (e: unknown) => void = () => undefined): { worker: QueueWorker; ready: Promise<void>; stop(): Promise<void> } {
  const ready = registerWorker(store, w);
  const timer = setInterval(() => void beat(store, w).catch(onError), Math.max(100, Math.floor(w.leaseMs / 3)));
  timer.unref();
  let stopped = false;
  return {
    worker: w,
    ready,
    async stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      await ready.catch(() => undefined);
      await retireWorker(store, w).catch(onError);
    },
  };
}

export interface WorkerSeen {
  id: string;
  host: string;
  pid: number;
  heartbeatAt: string;
  leaseMs: number;
  stoppedAt: string | null;
  /** Missed two heartbeats, stopped, or a process on this host that no longer exists: its items wait for its leases to run out. */
  stale: boolean;
  /** Silent for longer than its own lease time (or stopped): whatever it still holds may be taken over. */
  gone: boolean;
}

function processGone(host: string, pid: number): boolean {
  if (host !== os.hostname()) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

export async function seenWorkers(db: Store | Queryable, ids: readonly string[]): Promise<Map<string, WorkerSeen>> {
  const out = new Map<string, WorkerSeen>();
  if (!ids.length) return out;
  const rows = await db.query<{ id: string; host: string; pid: number; heartbeat_at: string; lease_ms: number; stopped_at: string | null }>(
    `SELECT id, host, pid, heartbeat_at, lease_ms, stopped_at FROM posting_workers WHERE id IN (${placeholders(ids.length)})`,
    ids,
  );
  const now = Date.now();
  for (const r of rows) {
    const leaseMs = Number(r.lease_ms);
    const pid = Number(r.pid);
    const silent = now - Date.parse(r.heartbeat_at);
    const gone = r.stopped_at !== null || silent > leaseMs;
    const stale = gone || silent > (leaseMs * 2) / 3 || processGone(r.host, pid);
    out.set(r.id, { id: r.id, host: r.host, pid, heartbeatAt: r.heartbeat_at, leaseMs, stoppedAt: r.stopped_at, stale, gone });
  }
  return out;
}
