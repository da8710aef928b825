/**
 * Batches (what will be posted or delivered), their items, and maker-checker approvals.
 * Rules: the person who prepared a batch cannot approve it; editing a batch bumps its version,
 * makes the editor its preparer and voids any approval (approvals name the version they approved).
 */
import { AppError, conflict, forbidden, notFound } from '../errors';
import { newId, nowIso, parseJson } from './ids';
import type { Queryable, Store } from './index';

export type BatchState = 'awaiting_approval' | 'approved' | 'rejected' | 'sending' | 'done' | 'failed' | 'cancelled' | 'needs_review';
export type ItemState = 'pending' | 'sending' | 'done' | 'failed' | 'needs_review';
export type Decision = 'approved' | 'rejected';

export interface Batch<P = unknown> {
  id: string;
  job: string;
  kind: string;
  state: BatchState;
  preparedBy: string;
  createdAt: string;
  updatedAt: string;
  payload: P;
  version: number;
}

export interface BatchItem<Req = unknown, Res = unknown> {
  batchId: string;
  seq: number;
  idempotencyKey: string;
  kind: string;
  state: ItemState;
  request: Req;
  response: Res | null;
  remoteId: string | null;
  error: string | null;
  attempts: number;
  updatedAt: string;
}

export interface Approval {
  id: string;
  batchId: string;
  batchVersion: number;
  approvedBy: string;
  decidedAt: string;
  decision: Decision;
  reason: string | null;
}

export interface NewBatchItem {
  kind: string;
  /** Unique across all batches; the posting worker uses it so nothing is sent twice. */
  idempotencyKey: string;
  request: unknown;
}

type Db = Store | Queryable;

/** Runs fn in a transaction when given the store, or directly when already inside one. */
async function inTx<T>(db: Db, fn: (tx: Queryable) => Promise<T>): Promise<T> {
  return 'transaction' in db ? db.transaction(fn) : fn(db);
}

const forUpdate = (db: Queryable) => (db.dialect === 'postgres' ? ' FOR UPDATE' : '');

interface BatchRow {
  id: string;
  job: string;
  kind: string;
  state: BatchState;
  prepared_by: string;
  created_at: string;
  updated_at: string;
  payload: string;
  version: number;
}

function toBatch<P>(r: BatchRow): Batch<P> {
  return {
    id: r.id,
    job: r.job,
    kind: r.kind,
    state: r.state,
    preparedBy: r.prepared_by,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    payload: parseJson<P>(r.payload, {} as P),
    version: Number(r.version),
  };
}

interface ItemRow {
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
}

function toItem(r: ItemRow): BatchItem {
  return {
    batchId: r.batch_id,
    seq: Number(r.seq),
    idempotencyKey: r.idempotency_key,
    kind: r.kind,
    state: r.state,
    request: parseJson(r.request, {}),
    response: r.response == null ? null : parseJson(r.response, r.response),
    remoteId: r.remote_id,
    error: r.error,
    attempts: Number(r.attempts),
    updatedAt: r.updated_at,
  };
}

async function insertItems(tx: Queryable, batchId: string, items: readonly NewBatchItem[]): Promise<void> {
  const at = nowIso();
  const keys = new Set<string>();
  for (const [i, item] of items.entries()) {
    if (keys.has(item.idempotencyKey)) {
      throw conflict('duplicate-idempotency-key', `Two items of this batch share the key "${item.idempotencyKey}"; each item must be unique.`);
    }
    keys.add(item.idempotencyKey);
    const taken = await tx.one<{ batch_id: string }>('SELECT batch_id FROM batch_items WHERE idempotency_key = $1', [
      item.idempotencyKey,
    ]);
    if (taken) {
      throw conflict(
        'duplicate-idempotency-key',
        `Item "${item.idempotencyKey}" is already part of batch ${taken.batch_id}, so it would be sent twice; remove it from this batch.`,
      );
    }
    await tx.exec(
      `INSERT INTO batch_items (batch_id, seq, idempotency_key, kind, state, request, attempts, updated_at)
       VALUES ($1, $2, $3, $4, 'pending', $5, 0, $6)`,
      [batchId, i + 1, item.idempotencyKey, item.kind, JSON.stringify(item.request ?? {}), at],
    );
  }
}

export async function createBatch<P>(
  db: Db,
  input: { job: string; kind: string; preparedBy: string; payload: P; items?: readonly NewBatchItem[]; id?: string },
): Promise<Batch<P>> {
  return inTx(db, async (tx) => {
    const id = input.id ?? newId('bat');
    const at = nowIso();
    await tx.exec(
      `INSERT INTO batches (id, job, kind, state, prepared_by, created_at, updated_at, payload, version)
       VALUES ($1, $2, $3, 'awaiting_approval', $4, $5, $5, $6, 1)`,
      [id, input.job, input.kind, input.preparedBy, at, JSON.stringify(input.payload ?? {})],
    );
    await insertItems(tx, id, input.items ?? []);
    return (await getBatch<P>(tx, id))!;
  });
}

export async function getBatch<P = unknown>(db: Db, id: string): Promise<Batch<P> | undefined> {
  const r = await db.one<BatchRow>('SELECT * FROM batches WHERE id = $1', [id]);
  return r ? toBatch<P>(r) : undefined;
}

export async function requireBatch<P = unknown>(db: Db, id: string): Promise<Batch<P>> {
  const b = await getBatch<P>(db, id);
  if (!b) throw notFound('batch-not-found', `There is no batch ${id}; it may have been removed or the link is wrong.`);
  return b;
}

export async function listBatches(
  db: Db,
  filter: { job?: string; state?: BatchState; limit?: number } = {},
): Promise<Batch[]> {
  const where: string[] = [];
  const params: (string | number)[] = [];
  if (filter.job) {
    params.push(filter.job);
    where.push(`job = $${params.length}`);
  }
  if (filter.state) {
    params.push(filter.state);
    where.push(`state = $${params.length}`);
  }
  params.push(Math.min(Math.max(filter.limit ?? 100, 1), 1000));
  const rows = await db.query<BatchRow>(
    `SELECT * FROM batches ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY created_at DESC, id LIMIT $${params.length}`,
    params,
  );
  return rows.map((r) => toBatch(r));
}

export async function listBatchItems(db: Db, batchId: string): Promise<BatchItem[]> {
  const rows = await db.query<ItemRow>('SELECT * FROM batch_items WHERE batch_id = $1 ORDER BY seq', [batchId]);
  return rows.map(toItem);
}

/** Records a state change of one item (the posting worker writes before and after each remote call). */
export async function updateBatchItem(
  db: Db,
  batchId: string,
  seq: number,
  patch: { state?: ItemState; response?: unknown; remoteId?: string | null; error?: string | null; countAttempt?: boolean },
): Promise<BatchItem> {
  return inTx(db, async (tx) => {
    const r = await tx.one<ItemRow>(`SELECT * FROM batch_items WHERE batch_id = $1 AND seq = $2${forUpdate(tx)}`, [batchId, seq]);
    if (!r) throw notFound('item-not-found', `Batch ${batchId} has no item ${seq}.`);
    await tx.exec(
      `UPDATE batch_items SET state = $3, response = $4, remote_id = $5, error = $6, attempts = $7, updated_at = $8
       WHERE batch_id = $1 AND seq = $2`,
      [
        batchId,
        seq,
        patch.state ?? r.state,
        patch.response === undefined ? r.response : JSON.stringify(patch.response),
        patch.remoteId === undefined ? r.remote_id : patch.remoteId,
        patch.error === undefined ? r.error : patch.error,
        Number(r.attempts) + (patch.countAttempt ? 1 : 0),
        nowIso(),
      ],
    );
    return toItem((await tx.one<ItemRow>('SELECT * FROM batch_items WHERE batch_id = $1 AND seq = $2', [batchId, seq]))!);
  });
}

/** Moves a batch between states, optionally only from an expected state (the worker claims approved batches). */
export async function setBatchState(db: Db, id: string, state: BatchState, from?: readonly BatchState[]): Promise<Batch> {
  return inTx(db, async (tx) => {
    const b = await lockBatch(tx, id);
    if (from && !from.includes(b.state)) {
      throw conflict('wrong-state', `Batch ${id} is ${describeState(b.state)}, so it cannot become ${describeState(state)}.`);
    }
    await tx.exec('UPDATE batches SET state = $2, updated_at = $3 WHERE id = $1', [id, state, nowIso()]);
    return (await getBatch(tx, id))!;
  });
}

async function lockBatch<P = unknown>(tx: Queryable, id: string): Promise<Batch<P>> {
  const r = await tx.one<BatchRow>(`SELECT * FROM batches WHERE id = $1${forUpdate(tx)}`, [id]);
  if (!r) throw notFound('batch-not-found', `There is no batch ${id}; it may have been removed or the link is wrong.`);
  return toBatch<P>(r);
}

export function describeState(s: BatchState): string {
  return s.replace(/_/g, ' ');
}

/**
 * Changes a batch's payload and/or items. The version goes up, the editor becomes the preparer
 * (so they cannot approve their own edit) and the previous approval no longer counts.
 */
export async function editBatch<P>(
  db: Db,
  input: { id: string; expectedVersion: number; editedBy: string; payload?: P; items?: readonly NewBatchItem[] },
): Promise<Batch<P>> {
  return inTx(db, async (tx) => {
    const b = await lockBatch<P>(tx, input.id);
    if (!['awaiting_approval', 'approved', 'rejected'].includes(b.state)) {
      throw conflict('not-editable', `Batch ${b.id} is ${describeState(b.state)}; it can no longer be changed.`);
    }
    if (b.version !== input.expectedVersion) {
      throw conflict(
        'stale-version',
        `Batch ${b.id} was changed by someone else (it is now version ${b.version}); reload it before editing.`,
      );
    }
    const version = b.version + 1;
    await tx.exec(
      `UPDATE batches SET payload = $2, version = $3, state = 'awaiting_approval', prepared_by = $4, updated_at = $5 WHERE id = $1`,
      [b.id, JSON.stringify(input.payload === undefined ? b.payload : input.payload), version, input.editedBy, nowIso()],
    );
    if (input.items) {
      await tx.exec('DELETE FROM batch_items WHERE batch_id = $1', [b.id]);
      await insertItems(tx, b.id, input.items);
    }
    return (await getBatch<P>(tx, b.id))!;
  });
}

/** Approves or rejects the version the approver looked at. The preparer is refused. */
export async function decideBatch(
  db: Db,
  input: { id: string; version: number; user: string; decision: Decision; reason?: string },
): Promise<{ batch: Batch; approval: Approval }> {
  return inTx(db, async (tx) => {
    const b = await lockBatch(tx, input.id);
    if (b.preparedBy === input.user) {
      throw forbidden(
        'maker-checker',
        `You prepared batch ${b.id}, so someone else must ${input.decision === 'approved' ? 'approve' : 'reject'} it.`,
      );
    }
    if (b.version !== input.version) {
      throw conflict(
        'stale-version',
        `Batch ${b.id} changed after you opened it (now version ${b.version}, you reviewed version ${input.version}); review it again.`,
      );
    }
    if (b.state !== 'awaiting_approval') {
      throw conflict('not-awaiting-approval', `Batch ${b.id} is ${describeState(b.state)}, not awaiting approval.`);
    }
    if (input.decision === 'rejected' && !input.reason?.trim()) {
      throw new AppError(400, 'reason-required', 'Say why you reject the batch so the preparer can fix it.');
    }
    const approval: Approval = {
      id: newId('apr'),
      batchId: b.id,
      batchVersion: b.version,
      approvedBy: input.user,
      decidedAt: nowIso(),
      decision: input.decision,
      reason: input.reason?.trim() || null,
    };
    await tx.exec(
      `INSERT INTO approvals (id, batch_id, batch_version, approved_by, decided_at, decision, reason)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [approval.id, approval.batchId, approval.batchVersion, approval.approvedBy, approval.decidedAt, approval.decision, approval.reason],
    );
    await tx.exec('UPDATE batches SET state = $2, updated_at = $3 WHERE id = $1', [b.id, input.decision, approval.decidedAt]);
    return { batch: (await getBatch(tx, b.id))!, approval };
  });
}

export async function listApprovals(db: Db, batchId: string): Promise<Approval[]> {
  const rows = await db.query<{
    id: string;
    batch_id: string;
    batch_version: number;
    approved_by: string;
    decided_at: string;
    decision: Decision;
    reason: string | null;
  }>('SELECT * FROM approvals WHERE batch_id = $1 ORDER BY decided_at, id', [batchId]);
  return rows.map((r) => ({
    id: r.id,
    batchId: r.batch_id,
    batchVersion: Number(r.batch_version),
    approvedBy: r.approved_by,
    decidedAt: r.decided_at,
    decision: r.decision,
    reason: r.reason,
  }));
}

/**
 * The approval that lets the batch be sent: an `approved` decision on the batch's current version
 * by someone other than its preparer. Undefined when there is none (never approved, or voided by an edit).
 */
export async function currentApproval(db: Db, batchId: string): Promise<Approval | undefined> {
  const b = await requireBatch(db, batchId);
  const list = await listApprovals(db, batchId);
  return list.find((a) => a.batchVersion === b.version && a.decision === 'approved' && a.approvedBy !== b.preparedBy);
}

/** For the posting worker and delivery: throws unless the batch may be sent now. */
export async function assertApprovedForSending(db: Db, batchId: string): Promise<Approval> {
  const b = await requireBatch(db, batchId);
  const a = await currentApproval(db, batchId);
  if (b.state !== 'approved' || !a) {
    throw conflict('not-approved', `Batch ${b.id} has no valid approval for its current version ${b.version}; it cannot be sent.`);
  }
  return a;
}
