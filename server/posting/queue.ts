/**
 * Posting's side of the queue (server/queue/claims.ts): kinds go in the document order — an item is
 * claimable once no earlier kind of its batch is still open — and right before each write leaves,
 * its item is marked `sending` with the write's send time and hard deadline, only while the worker
 * still holds the lease, so a worker that lost its item (stalled too long, taken over) never sends it.
 */
import { DOCUMENT_ORDER, type DocumentKind } from '../../src/zoho/documents';
import type { SettlementDocument } from '../../src/settlements/documents';
import type { Queryable, Store } from '../store';
import { nowIso } from '../store/ids';
import type { Attempt } from '../zoho/client';
import { OPEN_ITEM, type ClaimedItem } from '../queue/claims';
import type { QueueWorker } from '../queue/workers';

export type QueuedItem = ClaimedItem<SettlementDocument>;

/** The worker no longer holds the item: nothing was sent, someone else goes on with it. */
export class LeaseLost extends Error {
  constructor(batchId: string, seq: number) {
    super(`Item ${seq} of batch ${batchId} is no longer this worker's; it was not sent.`);
  }
}

/** The kind being posted now: the first in the document order with items still open (undefined: none left). */
export async function currentKind(db: Store | Queryable, batchId: string): Promise<DocumentKind | undefined> {
  const rows = await db.query<{ kind: string }>(`SELECT DISTINCT kind FROM batch_items WHERE batch_id = $1 AND ${OPEN_ITEM}`, [batchId]);
  const open = new Set(rows.map((r) => r.kind));
  return DOCUMENT_ORDER.find((k) => open.has(k));
}

/**
 * Written right before each HTTP attempt of a write leaves: the item is `sending`, with the time it
 * was sent and the deadline by which its socket is closed; `count` for the first attempt of a send
 * (the client's own retries after a 44 or a 401 applied nothing). Refused (LeaseLost, nothing sent)
 * unless the worker still holds the item's lease.
 */
export async function markSent(db: Store | Queryable, batchId: string, seq: number, w: QueueWorker, a: Attempt, count: boolean): Promise<number> {
  const at = nowIso();
  const row = await db.one<{ attempts: number }>(
    `UPDATE batch_items SET state = 'sending', sent_at = $3, deadline_at = $4, attempts = attempts + $5, updated_at = $6
     WHERE batch_id = $1 AND seq = $2 AND lease_owner = $7 AND lease_until > $6 RETURNING attempts`,
    [batchId, seq, new Date(a.sentAt).toISOString(), new Date(a.deadline).toISOString(), count ? 1 : 0, at, w.id],
  );
  if (!row) throw new LeaseLost(batchId, seq);
  return Number(row.attempts);
}

/** The exchange ended before its deadline (an answer, or a dropped connection): Zoho's margin counts from now. */
export async function markExchangeOver(db: Store | Queryable, batchId: string, seq: number, at: number): Promise<void> {
  await db.exec('UPDATE batch_items SET deadline_at = $3 WHERE batch_id = $1 AND seq = $2', [batchId, seq, new Date(at).toISOString()]);
}
