/**
 * The control row of a posting batch: what the user asked (run, pause, cancel), a pause until a
 * time (Zoho's daily reset) with its reason, and which worker takes the census at the end. Workers
 * read it before each document, so a pause from the task pane reaches workers in every process.
 */
import type { Queryable, Store } from '../store';
import { nowIso } from '../store/ids';
import { leaseEnd, type QueueWorker } from '../queue/workers';

export type PostingCommand = 'run' | 'pause' | 'cancel';

export interface PostingControl {
  batchId: string;
  command: PostingCommand;
  pausedUntil: string | null;
  reason: string | null;
  updatedAt: string;
}

interface Row {
  batch_id: string;
  command: PostingCommand;
  paused_until: string | null;
  reason: string | null;
  updated_at: string;
}

type Db = Store | Queryable;

const toControl = (r: Row): PostingControl => ({
  batchId: r.batch_id,
  command: r.command,
  pausedUntil: r.paused_until,
  reason: r.reason,
  updatedAt: r.updated_at,
});

export async function getControl(db: Db, batchId: string): Promise<PostingControl> {
  const r = await db.one<Row>('SELECT * FROM posting_control WHERE batch_id = $1', [batchId]);
  return r ? toControl(r) : { batchId, command: 'run', pausedUntil: null, reason: null, updatedAt: nowIso() };
}

async function upsert(db: Db, batchId: string, patch: Partial<Omit<PostingControl, 'batchId' | 'updatedAt'>>): Promise<void> {
  const c = await getControl(db, batchId);
  const next = { ...c, ...patch };
  await db.exec(
    `INSERT INTO posting_control (batch_id, command, paused_until, reason, updated_at) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (batch_id) DO UPDATE SET command = $2, paused_until = $3, reason = $4, updated_at = $5`,
    [batchId, next.command, next.pausedUntil, next.reason, nowIso()],
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

/**
 * Who takes the census when a batch's last item is finished: one worker at a time, under a lease
 * (a finisher that dies is replaced when its lease runs out). True when it is this worker.
 */
export async function takeFinisher(store: Store, batchId: string, w: QueueWorker): Promise<boolean> {
  return store.transaction(async (tx) => {
    await tx.exec(`INSERT INTO posting_control (batch_id, command, updated_at) VALUES ($1, 'run', $2) ON CONFLICT (batch_id) DO NOTHING`, [batchId, nowIso()]);
    const r = await tx.exec('UPDATE posting_control SET finisher = $2, finisher_until = $3 WHERE batch_id = $1 AND (finisher IS NULL OR finisher = $2 OR finisher_until < $4)', [
      batchId,
      w.id,
      leaseEnd(w),
      nowIso(),
    ]);
    return r.changes === 1;
  });
}

export async function releaseFinisher(db: Db, batchId: string, w: QueueWorker): Promise<void> {
  await db.exec('UPDATE posting_control SET finisher = NULL, finisher_until = NULL WHERE batch_id = $1 AND finisher = $2', [batchId, w.id]);
}
