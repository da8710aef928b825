/**
 * The control row of a posting batch: what the user asked (run, pause, cancel), a pause until a
 * time (Zoho's daily reset) with its reason, and which worker holds the batch. Workers read it
 * between documents, so a pause from the task pane reaches a worker in another process.
 */
import os from 'node:os';
import { conflict } from '../errors';
import type { Queryable, Store } from '../store';
import { nowIso } from '../store/ids';

export type PostingCommand = 'run' | 'pause' | 'cancel';

export interface PostingControl {
  batchId: string;
  command: PostingCommand;
  pausedUntil: string | null;
  reason: string | null;
  worker: string | null;
  heartbeatAt: string | null;
  updatedAt: string;
}

interface Row {
  batch_id: string;
  command: PostingCommand;
  paused_until: string | null;
  reason: string | null;
  worker: string | null;
  heartbeat_at: string | null;
  updated_at: string;
}

type Db = Store | Queryable;

const toControl = (r: Row): PostingControl => ({
  batchId: r.batch_id,
  command: r.command,
  pausedUntil: r.paused_until,
  reason: r.reason,
  worker: r.worker,
  heartbeatAt: r.heartbeat_at,
  updatedAt: r.updated_at,
});

export async function getControl(db: Db, batchId: string): Promise<PostingControl> {
  const r = await db.one<Row>('SELECT * FROM posting_control WHERE batch_id = $1', [batchId]);
  return r ? toControl(r) : { batchId, command: 'run', pausedUntil: null, reason: null, worker: null, heartbeatAt: null, updatedAt: nowIso() };
}

async function upsert(db: Db, batchId: string, patch: Partial<Omit<PostingControl, 'batchId' | 'updatedAt'>>): Promise<void> {
  const c = await getControl(db, batchId);
  const next = { ...c, ...patch };
  await db.exec(
    `INSERT INTO posting_control (batch_id, command, paused_until, reason, worker, heartbeat_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (batch_id) DO UPDATE SET command = $2, paused_until = $3, reason = $4, worker = $5, heartbeat_at = $6, updated_at = $7`,
    [batchId, next.command, next.pausedUntil, next.reason, next.worker, next.heartbeatAt, nowIso()],
  );
}

export async function requestPause(db: Db, batchId: string, reason: string, until?: Date): Promise<void> {
  await upsert(db, batchId, { command: 'pause', reason, pausedUntil: until ? until.toISOString() : null });
}

export async function requestResume(db: Db, batchId: string): Promise<void> {
  await upsert(db, batchId, { command: 'run', reason: null, pausedUntil: null });
}

export async function requestCancel(db: Db, batchId: string, reason: string): Promise<void> {
  await upsert(db, batchId, { command: 'cancel', reason, pausedUntil: null });
}

/** This process, as recorded in the control row: host:pid. */
export function workerId(): string {
  return `${os.hostname()}:${process.pid}`;
}

function deadLocalWorker(worker: string): boolean {
  const [host, pid] = worker.split(':');
  if (host !== os.hostname() || !/^\d+$/.test(pid ?? '')) return false;
  try {
    process.kill(Number(pid), 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

export const HEARTBEAT_STALE_MS = 60_000;

/**
 * Takes the batch for this worker, unless another live worker holds it (a worker on this machine
 * that died — killed, crashed — is detected at once; one elsewhere after a minute without heartbeat).
 */
export async function claimBatch(store: Store, batchId: string, me = workerId()): Promise<void> {
  await store.transaction(async (tx) => {
    const c = await getControl(tx, batchId);
    const stale = !c.heartbeatAt || Date.now() - Date.parse(c.heartbeatAt) > HEARTBEAT_STALE_MS;
    if (c.worker && c.worker !== me && !stale && !deadLocalWorker(c.worker)) {
      throw conflict('already-posting', `Batch ${batchId} is being posted by another worker (${c.worker}, last seen ${c.heartbeatAt}); wait for it or stop it first.`);
    }
    await upsert(tx, batchId, { worker: me, heartbeatAt: nowIso() });
  });
}

export async function heartbeat(db: Db, batchId: string, me = workerId()): Promise<void> {
  await db.exec('UPDATE posting_control SET heartbeat_at = $3 WHERE batch_id = $1 AND worker = $2', [batchId, me, nowIso()]);
}

export async function releaseBatch(db: Db, batchId: string, me = workerId()): Promise<void> {
  await db.exec('UPDATE posting_control SET worker = NULL, heartbeat_at = NULL WHERE batch_id = $1 AND worker = $2', [batchId, me]);
}
