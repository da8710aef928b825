/**
 * The server process's one queue worker, shared by its posting and its delivery: registered with
 * its heartbeat while either uses it, retired (its leases given back) when the last lets go.
 */
import type { AppContext } from '../context';
import { newWorker, startHeartbeat, type QueueWorker } from './workers';

interface Held {
  worker: QueueWorker;
  heartbeat?: ReturnType<typeof startHeartbeat>;
  users: number;
}

const byContext = new WeakMap<AppContext, Held>();

function heldOf(ctx: AppContext): Held {
  let h = byContext.get(ctx);
  if (!h) byContext.set(ctx, (h = { worker: newWorker(ctx.config.postingLeaseMs), users: 0 }));
  return h;
}

/** This process's worker (its id is on the leases it holds). */
export function processWorker(ctx: AppContext): QueueWorker {
  return heldOf(ctx).worker;
}

/** Starts using the worker: registered and beating once this resolves. */
export async function holdProcessWorker(ctx: AppContext): Promise<QueueWorker> {
  const h = heldOf(ctx);
  h.users++;
  h.heartbeat ??= startHeartbeat(ctx.store, h.worker, (e) => ctx.log.warn({ err: e }, 'queue worker heartbeat failed'));
  await h.heartbeat.ready;
  return h.worker;
}

/** Stops using it; the last user retires it. */
export async function letGoProcessWorker(ctx: AppContext): Promise<void> {
  const h = heldOf(ctx);
  h.users = Math.max(0, h.users - 1);
  if (h.users > 0 || !h.heartbeat) return;
  const hb = h.heartbeat;
  h.heartbeat = undefined;
  await hb.stop();
}
