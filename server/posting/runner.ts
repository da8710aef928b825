/**
 * Posting inside the API process. One posting service per process, started when the server is
 * ready and stopped when it closes: a registered worker with its heartbeat, each batch run at most
 * once at a time here, the last outcome kept for the progress route, and a look every few seconds
 * for batches to go on with by themselves — approved batches in `sending` (left by a stopped or
 * crashed process: their items are taken as the dead worker's leases run out, after the look-up
 * rule) and batches paused until a daily reset that has passed. Every instance on PostgreSQL does
 * the same, so they share the items of every batch.
 */
import type { AppContext } from '../context';
import type { Store } from '../store';
import { getBatch } from '../store/batches';
import { batchProgress } from './progress';
import { CORRECTION_KIND, runCorrection } from './review';
import { POSTING_JOB, POSTING_KIND, postBatch, type PostOutcome } from './worker';
import { holdProcessWorker, letGoProcessWorker, processWorker } from '../queue/process';
import type { QueueWorker } from '../queue/workers';

interface Last {
  state: string;
  message: string;
  at: string;
}

interface Service {
  worker: QueueWorker;
  /** Holding the process's worker (registered and beating). */
  holding?: Promise<QueueWorker>;
  running: Map<string, { run: Promise<PostOutcome | undefined>; stop: AbortController }>;
  last: Map<string, Last>;
  timer?: NodeJS.Timeout;
  scanning?: Promise<void>;
  closed: boolean;
}

const services = new WeakMap<AppContext, Service>();

function serviceOf(ctx: AppContext): Service {
  let s = services.get(ctx);
  if (!s) services.set(ctx, (s = { worker: processWorker(ctx), running: new Map(), last: new Map(), closed: false }));
  return s;
}

export function isRunning(ctx: AppContext, batchId: string): boolean {
  return serviceOf(ctx).running.has(batchId);
}

export function lastOutcome(ctx: AppContext, batchId: string): Last | undefined {
  return serviceOf(ctx).last.get(batchId);
}

/** A posting batch runs the worker; a correction batch (keep one copy, remove the others) removes copies. */
async function runBatch(ctx: AppContext, s: Service, batchId: string, actor: string, actorName: string | undefined, signal: AbortSignal): Promise<PostOutcome> {
  const b = await getBatch(ctx.store, batchId);
  if (b?.kind !== CORRECTION_KIND) return postBatch(ctx, batchId, { actor, worker: s.worker, signal, pollMs: Math.min(500, s.worker.leaseMs / 4) });
  const r = await runCorrection(ctx, batchId, { actor, actorName });
  return { batchId, state: r.state, message: r.message, progress: await batchProgress(ctx.store, batchId) };
}

/** Starts the worker for the batch in the background (no-op when it already runs here). */
export function startPosting(ctx: AppContext, batchId: string, actor: string, actorName?: string): Promise<PostOutcome | undefined> {
  const s = serviceOf(ctx);
  const existing = s.running.get(batchId);
  if (existing) return existing.run;
  if (s.closed) return Promise.resolve(undefined);
  const stop = new AbortController();
  const run = (async () => {
    // Posting before the service started (it starts when the server is ready) still needs a live worker.
    await (s.holding ??= holdProcessWorker(ctx));
    return runBatch(ctx, s, batchId, actor, actorName, stop.signal);
  })()
    .then((outcome) => {
      s.last.set(batchId, { state: outcome.state, message: outcome.message, at: new Date().toISOString() });
      return outcome;
    })
    .catch((e: Error & { code?: string }) => {
      ctx.log.warn({ err: e, batchId }, 'posting stopped');
      s.last.set(batchId, { state: 'error', message: e.message, at: new Date().toISOString() });
      return undefined;
    })
    .finally(() => s.running.delete(batchId));
  s.running.set(batchId, { run, stop });
  return run;
}

/** Batches this process should go on with now, and why. */
async function resumable(store: Store): Promise<{ id: string; why: 'recovered' | 'reset-passed' | 'cancel' }[]> {
  const rows = await store.query<{ id: string; command: string | null; paused_until: string | null }>(
    `SELECT b.id, c.command, c.paused_until FROM batches b LEFT JOIN posting_control c ON c.batch_id = b.id
     WHERE b.job = $1 AND b.kind IN ($2, $3) AND b.state = 'sending' ORDER BY b.created_at`,
    [POSTING_JOB, POSTING_KIND, CORRECTION_KIND],
  );
  const now = new Date().toISOString();
  const out: { id: string; why: 'recovered' | 'reset-passed' | 'cancel' }[] = [];
  for (const r of rows) {
    if (r.command === 'cancel') out.push({ id: r.id, why: 'cancel' });
    else if (r.command === 'pause') {
      // Paused by Zoho's daily limit until a reset that has passed; a person's pause waits for a person.
      if (r.paused_until && r.paused_until <= now) out.push({ id: r.id, why: 'reset-passed' });
    } else out.push({ id: r.id, why: 'recovered' });
  }
  return out;
}

/** A stopped run is not retried here more often than this (an error would otherwise repeat every look). */
const RETRY_AFTER_FAILURE_MS = 30_000;

async function scan(ctx: AppContext, s: Service): Promise<void> {
  for (const b of await resumable(ctx.store)) {
    if (s.closed || s.running.has(b.id)) continue;
    const last = s.last.get(b.id);
    if (last && (last.state === 'error' || last.state === 'stopped') && Date.now() - Date.parse(last.at) < RETRY_AFTER_FAILURE_MS) continue;
    if (b.why === 'reset-passed') {
      // One process ends the pause and says so; every process then joins the batch.
      const r = await ctx.store.exec("UPDATE posting_control SET command = 'run', paused_until = NULL, reason = NULL WHERE batch_id = $1 AND command = 'pause' AND paused_until <= $2", [b.id, new Date().toISOString()]);
      if (r.changes === 1) await ctx.audit.append({ actor: 'system:posting', action: 'posting.resumed-after-reset', subjectType: 'batch', subjectId: b.id, details: { worker: s.worker.id } });
    }
    void startPosting(ctx, b.id, b.why === 'cancel' ? 'system:posting' : 'system:recovery');
  }
}

/**
 * Starts the posting service of this process: registers its worker, and from now on looks for
 * batches to go on with (at once, then every half lease, at most every 10 s).
 */
export async function startPostingService(ctx: AppContext): Promise<void> {
  const s = serviceOf(ctx);
  if (s.timer || s.closed) return;
  await (s.holding ??= holdProcessWorker(ctx));
  const look = () => {
    if (s.scanning || s.closed) return;
    s.scanning = scan(ctx, s)
      .catch((e) => ctx.log.warn({ err: e }, 'posting: could not look for batches to resume'))
      .finally(() => (s.scanning = undefined));
  };
  s.timer = setInterval(look, Math.max(250, Math.min(10_000, s.worker.leaseMs / 2)));
  s.timer.unref();
  look();
}

/**
 * Stops the service: no new runs, running ones stop before their next document, and the worker's
 * leases are given back at once. A write still in flight keeps its item `sending` with its
 * deadline, so whoever takes the item looks it up first (after the deadline plus the margin).
 */
export async function stopPostingService(ctx: AppContext, waitMs = 5_000): Promise<void> {
  const s = serviceOf(ctx);
  s.closed = true;
  if (s.timer) clearInterval(s.timer);
  for (const r of s.running.values()) r.stop.abort();
  const all = Promise.all([s.scanning, ...[...s.running.values()].map((r) => r.run)]);
  await Promise.race([all, new Promise((r) => setTimeout(r, waitMs).unref())]);
  if (s.holding) await letGoProcessWorker(ctx);
}
