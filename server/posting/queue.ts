/**
 * The posting queue: a batch's items, claimed one at a time by any worker of any process under a
 * lease (`FOR UPDATE SKIP LOCKED` on PostgreSQL, so two instances never wait for or take the same
 * row; SQLite's transactions are exclusive anyway). Kinds go in the document order: an item is
 * claimable once no earlier kind of its batch is still open. An item whose retry backs off, or whose
 * look-up waits for a late write, is not claimable before `not_before`.
 *
 * Right before each write leaves, its item is marked `sending` with the write's send time and hard
 * deadline — only while the worker still holds the lease, so a worker that lost its item (paused
 * too long, its lease taken over) never sends it.
 */
import { DOCUMENT_ORDER, type DocumentKind } from '../../src/zoho/documents';
import type { SettlementDocument } from '../../src/settlements/documents';
import type { Queryable, Store } from '../store';
import { nowIso, parseJson } from '../store/ids';
import type { BatchItem, ItemState } from '../store/batches';
import type { Attempt } from '../zoho/client';
import { leaseEnd, type PostingWorker } from './workers';

export interface QueuedItem {
  item: BatchItem<SettlementDocument>;
  /** When the last write of this item could last have reached Zoho's socket (epoch ms); null when never sent. */
  deadlineAt: number | null;
}

/** The worker no longer holds the item: nothing was sent, someone else goes on with it. */
export class LeaseLost extends Error {
  constructor(batchId: string, seq: number) {
    super(`Item ${seq} of batch ${batchId} is no longer this worker's; it was not sent.`);
  }
}

interface Row {
  batch_id: string;
  seq: number;
  idempotency_key: string;
  kind: string;
  state: ItemState;
  request: string;
  response: string | null;
  remote_id: string | null;
  error: string | null;
  attempts: number;
  updated_at: string;
  deadline_at: string | null;
}

const toQueued = (r: Row): QueuedItem => ({
  item: {
    batchId: r.batch_id,
    seq: Number(r.seq),
    idempotencyKey: r.idempotency_key,
    kind: r.kind,
    state: r.state,
    request: parseJson(r.request, {} as SettlementDocument),
    response: r.response == null ? null : parseJson(r.response, r.response),
    remoteId: r.remote_id,
    error: r.error,
    attempts: Number(r.attempts),
    updatedAt: r.updated_at,
  },
  deadlineAt: r.deadline_at ? Date.parse(r.deadline_at) : null,
});

const OPEN = "state IN ('pending', 'sending')";

/** The kind being posted now: the first in the document order with items still open (undefined: none left). */
export async function currentKind(db: Store | Queryable, batchId: string): Promise<DocumentKind | undefined> {
  const rows = await db.query<{ kind: string }>(`SELECT DISTINCT kind FROM batch_items WHERE batch_id = $1 AND ${OPEN}`, [batchId]);
  const open = new Set(rows.map((r) => r.kind));
  return DOCUMENT_ORDER.find((k) => open.has(k));
}

/**
 * Claims the next claimable item of the kind for the worker: open, not leased (or its lease ran
 * out), not waiting. Undefined when there is none now.
 */
export async function claimItem(store: Store, batchId: string, kind: DocumentKind, w: PostingWorker): Promise<QueuedItem | undefined> {
  return store.transaction(async (tx) => {
    const now = nowIso();
    const pick = await tx.one<{ seq: number }>(
      `SELECT seq FROM batch_items
       WHERE batch_id = $1 AND kind = $2 AND ${OPEN} AND (lease_until IS NULL OR lease_until < $3) AND (not_before IS NULL OR not_before <= $3)
       ORDER BY seq LIMIT 1${tx.dialect === 'postgres' ? ' FOR UPDATE SKIP LOCKED' : ''}`,
      [batchId, kind, now],
    );
    if (!pick) return undefined;
    await tx.exec('UPDATE batch_items SET lease_owner = $3, lease_until = $4, not_before = NULL WHERE batch_id = $1 AND seq = $2', [batchId, pick.seq, w.id, leaseEnd(w)]);
    const row = await tx.one<Row>('SELECT * FROM batch_items WHERE batch_id = $1 AND seq = $2', [batchId, pick.seq]);
    return toQueued(row!);
  });
}

/** Gives the item back (it stays open); nobody claims it before `notBefore` (epoch ms) when given. */
export async function releaseItem(db: Store | Queryable, batchId: string, seq: number, w: PostingWorker, notBefore?: number): Promise<void> {
  await db.exec('UPDATE batch_items SET lease_owner = NULL, lease_until = NULL, not_before = $4 WHERE batch_id = $1 AND seq = $2 AND lease_owner = $3', [
    batchId,
    seq,
    w.id,
    notBefore ? new Date(notBefore).toISOString() : null,
  ]);
}

/** When an open item of the kind may next be claimable (epoch ms), for a worker that found none now. */
export async function nextClaimable(db: Store | Queryable, batchId: string, kind: DocumentKind): Promise<number | undefined> {
  const rows = await db.query<{ lease_until: string | null; not_before: string | null }>(`SELECT lease_until, not_before FROM batch_items WHERE batch_id = $1 AND kind = $2 AND ${OPEN}`, [batchId, kind]);
  let next: number | undefined;
  for (const r of rows) {
    const at = Math.max(r.lease_until ? Date.parse(r.lease_until) : 0, r.not_before ? Date.parse(r.not_before) : 0);
    next = next === undefined ? at : Math.min(next, at);
  }
  return next;
}

/**
 * Written right before each HTTP attempt of a write leaves: the item is `sending`, with the time it
 * was sent and the deadline by which its socket is closed. The first attempt of a send counts.
 * Refused (LeaseLost, nothing sent) unless the worker still holds the item's lease.
 */
export async function markSent(db: Store | Queryable, batchId: string, seq: number, w: PostingWorker, a: Attempt): Promise<number> {
  const at = nowIso();
  const r = await db.exec(
    `UPDATE batch_items SET state = 'sending', sent_at = $3, deadline_at = $4, attempts = attempts + $5, updated_at = $6
     WHERE batch_id = $1 AND seq = $2 AND lease_owner = $7 AND lease_until > $6`,
    [batchId, seq, new Date(a.sentAt).toISOString(), new Date(a.deadline).toISOString(), a.attempt === 1 ? 1 : 0, at, w.id],
  );
  if (r.changes !== 1) throw new LeaseLost(batchId, seq);
  const row = await db.one<{ attempts: number }>('SELECT attempts FROM batch_items WHERE batch_id = $1 AND seq = $2', [batchId, seq]);
  return Number(row?.attempts ?? 0);
}

/** The exchange ended before its deadline (an answer, or a dropped connection): Zoho's margin counts from now. */
export async function markExchangeOver(db: Store | Queryable, batchId: string, seq: number, at: number): Promise<void> {
  await db.exec('UPDATE batch_items SET deadline_at = $3 WHERE batch_id = $1 AND seq = $2', [batchId, seq, new Date(at).toISOString()]);
}
