/**
 * The id map: idempotency key → Zoho id, per organisation. It replaces the old tracking CSV and is
 * written in the same transaction as the item's `done` state, so the two never disagree.
 */
import { queryByKeys, type Queryable, type Store } from '../store';
import { nowIso } from '../store/ids';
import { updateBatchItem } from '../store/batches';

export interface IdMapEntry {
  idempotencyKey: string;
  kind: string;
  organizationId: string;
  zohoId: string;
  number: string | null;
  batchId: string;
  adopted: boolean;
  createdAt: string;
}

interface Row {
  idempotency_key: string;
  kind: string;
  organization_id: string;
  zoho_id: string;
  number: string | null;
  batch_id: string;
  adopted: number;
  created_at: string;
}

const toEntry = (r: Row): IdMapEntry => ({
  idempotencyKey: r.idempotency_key,
  kind: r.kind,
  organizationId: r.organization_id,
  zohoId: r.zoho_id,
  number: r.number,
  batchId: r.batch_id,
  adopted: Boolean(Number(r.adopted)),
  createdAt: r.created_at,
});

export async function idMapForKeys(db: Store | Queryable, keys: readonly string[]): Promise<Map<string, IdMapEntry>> {
  const rows = await queryByKeys<Row>(db, keys, (list) => `SELECT * FROM zoho_id_map WHERE idempotency_key IN (${list})`);
  return new Map(rows.map((r) => [r.idempotency_key, toEntry(r)]));
}

export async function idMapOfBatch(db: Store | Queryable, batchId: string): Promise<IdMapEntry[]> {
  return (await db.query<Row>('SELECT * FROM zoho_id_map WHERE batch_id = $1 ORDER BY idempotency_key', [batchId])).map(toEntry);
}

export async function idMapOfOrganization(db: Store | Queryable, organizationId: string): Promise<IdMapEntry[]> {
  return (await db.query<Row>('SELECT * FROM zoho_id_map WHERE organization_id = $1 ORDER BY idempotency_key', [organizationId])).map(toEntry);
}

/** Marks the item done and records its Zoho id, atomically (in the caller's transaction when given one). */
export async function recordPosted(
  db: Store | Queryable,
  item: { batchId: string; seq: number; idempotencyKey: string; kind: string },
  posted: { organizationId: string; zohoId: string; number?: string; adopted: boolean; response: unknown },
): Promise<void> {
  const inTx = <T>(fn: (tx: Queryable) => Promise<T>) => ('transaction' in db ? db.transaction(fn) : fn(db));
  await inTx(async (tx) => {
    await tx.exec(
      `INSERT INTO zoho_id_map (idempotency_key, kind, organization_id, zoho_id, number, batch_id, adopted, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (idempotency_key) DO UPDATE SET zoho_id = $4, number = $5, adopted = $7`,
      [item.idempotencyKey, item.kind, posted.organizationId, posted.zohoId, posted.number ?? null, item.batchId, posted.adopted ? 1 : 0, nowIso()],
    );
    await updateBatchItem(tx, item.batchId, item.seq, { state: 'done', remoteId: posted.zohoId, response: posted.response, error: null });
  });
}
