/**
 * The posting worker's view of batch items: the documents still to post, with the send time and
 * hard deadline of each one's last write, and the write of that time right before a write leaves.
 */
import type { SettlementDocument } from '../../src/settlements/documents';
import type { Queryable, Store } from '../store';
import { nowIso } from '../store/ids';
import { listBatchItems, type BatchItem } from '../store/batches';
import type { Attempt } from '../zoho/client';

export interface QueuedItem {
  item: BatchItem<SettlementDocument>;
  /** When the last write of this item could last have reached Zoho's socket (epoch ms); null when never sent. */
  deadlineAt: number | null;
}

const ms = (iso: string | null | undefined): number | null => (iso ? Date.parse(iso) : null);

/** Items still to post (pending, or `sending`: an earlier write's outcome unknown), in batch order. */
export async function openItems(db: Store | Queryable, batchId: string): Promise<QueuedItem[]> {
  const items = (await listBatchItems(db, batchId)) as BatchItem<SettlementDocument>[];
  const rows = await db.query<{ seq: number; deadline_at: string | null }>("SELECT seq, deadline_at FROM batch_items WHERE batch_id = $1 AND state = 'sending'", [batchId]);
  const deadlines = new Map(rows.map((r) => [Number(r.seq), ms(r.deadline_at)]));
  return items.filter((i) => i.state === 'pending' || i.state === 'sending').map((item) => ({ item, deadlineAt: deadlines.get(item.seq) ?? null }));
}

/**
 * Written right before each HTTP attempt of a write leaves: the item is `sending`, with the time it
 * was sent and the deadline by which its socket is closed. The first attempt of a send counts.
 */
export async function markSent(db: Store | Queryable, batchId: string, seq: number, a: Attempt): Promise<number> {
  await db.exec(
    `UPDATE batch_items SET state = 'sending', sent_at = $3, deadline_at = $4, attempts = attempts + $5, updated_at = $6 WHERE batch_id = $1 AND seq = $2`,
    [batchId, seq, new Date(a.sentAt).toISOString(), new Date(a.deadline).toISOString(), a.attempt === 1 ? 1 : 0, nowIso()],
  );
  const r = await db.one<{ attempts: number }>('SELECT attempts FROM batch_items WHERE batch_id = $1 AND seq = $2', [batchId, seq]);
  return Number(r?.attempts ?? 0);
}
