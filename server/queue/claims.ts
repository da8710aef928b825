/**
 * The one queue both posting and delivery take their work from: a batch's items, claimed one at a
 * time by any worker of any process under a lease (`FOR UPDATE SKIP LOCKED` on PostgreSQL, so two
 * instances never wait for or take the same row; SQLite's transactions are exclusive anyway). An
 * item is open while `pending` or `sending`; one whose retry backs off, or whose look-up waits for
 * work that may still be in flight, is not claimable before `not_before`.
 */
import type { Queryable, Store } from '../store';
import { nowIso } from '../store/ids';
import { itemFromRow, type BatchItem, type ItemRow } from '../store/batches';
import { leaseEnd, type QueueWorker } from './workers';

/** An item as a worker sees it (who prepared it is the approval's business, not the sender's). */
export type QueueItem<R = unknown> = Omit<BatchItem<R>, 'preparedBy'>;

export interface ClaimedItem<R = unknown> {
  item: QueueItem<R>;
  /** When the last attempt could last have reached the remote (epoch ms); null when never sent. */
  deadlineAt: number | null;
}

const toClaimed = <R>(r: ItemRow & { deadline_at: string | null }): ClaimedItem<R> => ({ item: itemFromRow<R>(r), deadlineAt: r.deadline_at ? Date.parse(r.deadline_at) : null });

// An item whose batch's rest was closed without posting (server/posting/close-rest.ts) is never claimed.
export const OPEN_ITEM = "state IN ('pending', 'sending') AND closed_at IS NULL";

/** Claims the next claimable item of the kind for the worker: open, not leased (or its lease ran out), not waiting. */
export async function claimItem<R = unknown>(store: Store, batchId: string, kind: string, w: QueueWorker): Promise<ClaimedItem<R> | undefined> {
  return store.transaction(async (tx) => {
    const now = nowIso();
    const pick = await tx.one<{ seq: number }>(
      `SELECT seq FROM batch_items
       WHERE batch_id = $1 AND kind = $2 AND ${OPEN_ITEM} AND (lease_until IS NULL OR lease_until < $3) AND (not_before IS NULL OR not_before <= $3)
       ORDER BY seq LIMIT 1${tx.dialect === 'postgres' ? ' FOR UPDATE SKIP LOCKED' : ''}`,
      [batchId, kind, now],
    );
    if (!pick) return undefined;
    await tx.exec('UPDATE batch_items SET lease_owner = $3, lease_until = $4, not_before = NULL WHERE batch_id = $1 AND seq = $2', [batchId, pick.seq, w.id, leaseEnd(w)]);
    const row = await tx.one<ItemRow & { deadline_at: string | null }>('SELECT * FROM batch_items WHERE batch_id = $1 AND seq = $2', [batchId, pick.seq]);
    return toClaimed<R>(row!);
  });
}

/** Gives the item back (it stays open); nobody claims it before `notBefore` (epoch ms) when given. */
export async function releaseItem(db: Store | Queryable, batchId: string, seq: number, w: QueueWorker, notBefore?: number): Promise<void> {
  await db.exec('UPDATE batch_items SET lease_owner = NULL, lease_until = NULL, not_before = $4 WHERE batch_id = $1 AND seq = $2 AND lease_owner = $3', [
    batchId,
    seq,
    w.id,
    notBefore ? new Date(notBefore).toISOString() : null,
  ]);
}

/** When an open item of the kind may next be claimable (epoch ms); undefined when none is open. */
export async function nextClaimable(db: Store | Queryable, batchId: string, kind: string): Promise<number | undefined> {
  const rows = await db.query<{ lease_until: string | null; not_before: string | null }>(`SELECT lease_until, not_before FROM batch_items WHERE batch_id = $1 AND kind = $2 AND ${OPEN_ITEM}`, [batchId, kind]);
  let next: number | undefined;
  for (const r of rows) {
    const at = Math.max(r.lease_until ? Date.parse(r.lease_until) : 0, r.not_before ? Date.parse(r.not_before) : 0);
    next = next === undefined ? at : Math.min(next, at);
  }
  return next;
}

/** Waits (at most pollMs) until an open item of the kind may be claimable; false when none is open any more. */
export async function waitForClaimable(db: Store | Queryable, batchId: string, kind: string, pollMs: number, sleep: (ms: number) => Promise<void>): Promise<boolean> {
  const next = await nextClaimable(db, batchId, kind);
  if (next === undefined) return false;
  await sleep(Math.min(pollMs, Math.max(20, next - Date.now())));
  return true;
}
