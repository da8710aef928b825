/**
 * Runs posting batches inside the API process (the task pane's Post button), one run per batch at
 * a time, remembering the last outcome for the progress route; a batch paused by Zoho's daily
 * limit is started again by itself once the reset time has passed.
 */
import type { AppContext } from '../context';
import { getBatch } from '../store/batches';
import { getControl } from './control';
import { batchProgress } from './progress';
import { CORRECTION_KIND, runCorrection } from './review';
import { postBatch, type PostOutcome } from './worker';

/** A posting batch runs the worker; a correction batch (keep one copy, remove the others) removes copies. */
async function runBatch(ctx: AppContext, batchId: string, actor: string): Promise<PostOutcome> {
  const b = await getBatch(ctx.store, batchId);
  if (b?.kind !== CORRECTION_KIND) return postBatch(ctx, batchId, { actor });
  const r = await runCorrection(ctx, batchId, { actor });
  return { batchId, state: r.state, message: r.message, progress: await batchProgress(ctx.store, batchId) };
}

interface Runner {
  running: Map<string, Promise<PostOutcome | undefined>>;
  last: Map<string, { state: string; message: string; at: string }>;
  timers: Map<string, NodeJS.Timeout>;
}

const runners = new WeakMap<AppContext, Runner>();

function runnerOf(ctx: AppContext): Runner {
  let r = runners.get(ctx);
  if (!r) runners.set(ctx, (r = { running: new Map(), last: new Map(), timers: new Map() }));
  return r;
}

export function isRunning(ctx: AppContext, batchId: string): boolean {
  return runnerOf(ctx).running.has(batchId);
}

export function lastOutcome(ctx: AppContext, batchId: string): { state: string; message: string; at: string } | undefined {
  return runnerOf(ctx).last.get(batchId);
}

/** Starts the worker for the batch in the background (no-op when it already runs here). */
export function startPosting(ctx: AppContext, batchId: string, actor: string): Promise<PostOutcome | undefined> {
  const r = runnerOf(ctx);
  const existing = r.running.get(batchId);
  if (existing) return existing;
  const timer = r.timers.get(batchId);
  if (timer) clearTimeout(timer);
  r.timers.delete(batchId);
  const run = runBatch(ctx, batchId, actor)
    .then(async (outcome) => {
      r.last.set(batchId, { state: outcome.state, message: outcome.message, at: new Date().toISOString() });
      if (outcome.state === 'paused') {
        const c = await getControl(ctx.store, batchId);
        const until = c.pausedUntil ? Date.parse(c.pausedUntil) : NaN;
        if (Number.isFinite(until)) {
          // Timers cannot wait longer than ~24.8 days; the daily reset is at most a day away.
          const t = setTimeout(() => void startPosting(ctx, batchId, actor), Math.min(until - Date.now() + 1000, 2 ** 31 - 1));
          t.unref();
          r.timers.set(batchId, t);
        }
      }
      return outcome;
    })
    .catch((e: Error & { code?: string }) => {
      ctx.log.warn({ err: e, batchId }, 'posting stopped');
      r.last.set(batchId, { state: 'error', message: e.message, at: new Date().toISOString() });
      return undefined;
    })
    .finally(() => r.running.delete(batchId));
  r.running.set(batchId, run);
  return run;
}
