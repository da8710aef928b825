// Over 400 lines: batches, their items and approvals are one table family sharing row mappings, locking and the lifecycle check.
/**
 * Batches (what will be posted or delivered), their items, and maker-checker approvals — stored here,
 * decided by the rules in src/: who may approve (src/approval/rule.ts) and which transitions a batch
 * allows (src/batches/lifecycle.ts). Preparers and approvers are identities (issuer + subject) with a
 * display name beside them; each item records who put its content in the batch.
 */
import { legacyPerson, recordedPerson, type Person, type User } from '../../src/approval';
import {
  batchTransition,
  person,
  preparersAfterEdit,
  standingApproval,
  WORKER,
  type BatchAction,
  type BatchActor,
  type BatchFacts,
  type BatchState,
  type RecordedApproval,
  type Refusal,
} from '../../src/batches';
import type { HandOn } from '../../src/batches/outcome';
import { AppError, notFound } from '../errors';
import { computeBatchContent, recordVersion } from './batch-content';
import { newId, nowIso, parseJson } from './ids';
import { placeholders, queryByKeys, type Queryable, type Store } from './index';

export type { BatchState } from '../../src/batches';
export type { HandOn } from '../../src/batches/outcome';
export type ItemState = 'pending' | 'sending' | 'done' | 'failed' | 'needs_review';
export type Decision = 'approved' | 'rejected';

export interface Batch<P = unknown> {
  id: string;
  job: string;
  kind: string;
  state: BatchState;
  /** Identity key of who made the current version (created it, or changed it last). */
  preparedBy: string;
  preparedByName: string;
  /** Everyone who prepared any of it — the current version's author and each item's; none of them may approve it. */
  preparers: Person[];
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
  /** Who put this item's current content in the batch. */
  preparedBy: Person[];
}

export interface Approval {
  id: string;
  batchId: string;
  batchVersion: number;
  /** Identity key of the approver. */
  approvedBy: string;
  approvedByName: string;
  /** The approver's roles when she decided. */
  approverRoles: string[];
  decidedAt: string;
  decision: Decision;
  reason: string | null;
  /** Hash of the content decided on (what would leave); null for decisions from before content hashes. */
  contentHash: string | null;
  /** Set when the sending process voided this approval: what would leave was not what it approved. */
  voided: { at: string; reason: string; contentHash: string } | null;
}

export interface NewBatchItem {
  kind: string;
  /** Held by one batch at a time (see `KeyHolder`); the posting worker uses it so nothing is sent twice. */
  idempotencyKey: string;
  request: unknown;
  /** Who prepared this item's content; the batch's preparer when not given. */
  preparedBy?: readonly Person[];
}

type Db = Store | Queryable;

/** Runs fn in a transaction when given the store, or directly when already inside one. */
async function inTx<T>(db: Db, fn: (tx: Queryable) => Promise<T>): Promise<T> {
  return 'transaction' in db ? db.transaction(fn) : fn(db);
}

const forUpdate = (db: Queryable) => (db.dialect === 'postgres' ? ' FOR UPDATE' : '');

/** A refusal of the lifecycle or the approval rule, as the error routes pass on. */
const refused = (r: Refusal) => new AppError(r.status, r.code, r.reason);

export interface BatchRow {
  id: string;
  job: string;
  kind: string;
  state: BatchState;
  prepared_by: string;
  prepared_by_name: string | null;
  created_at: string;
  updated_at: string;
  payload: string;
  version: number;
}

export function storedPeople(text: string | null, fallback: Person): Person[] {
  const list = parseJson<unknown>(text, null);
  if (!Array.isArray(list)) return [fallback];
  const people = list.filter((p): p is Person => typeof p?.id === 'string' && typeof p?.name === 'string').map((p) => recordedPerson(p.id, p.name));
  return people.length ? people : [fallback];
}

const toJsonPeople = (people: readonly Person[]) => JSON.stringify(people.map((p) => ({ id: p.id, name: p.name })));

export function toBatch<P>(r: BatchRow, itemPreparers: readonly (string | null)[]): Batch<P> {
  const author = recordedPerson(r.prepared_by, r.prepared_by_name);
  const preparers = new Map([[author.id, author]]);
  for (const text of itemPreparers) for (const p of storedPeople(text, author)) if (!preparers.has(p.id)) preparers.set(p.id, p);
  return {
    id: r.id,
    job: r.job,
    kind: r.kind,
    state: r.state,
    preparedBy: author.id,
    preparedByName: author.name,
    preparers: [...preparers.values()],
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    payload: parseJson<P>(r.payload, {} as P),
    version: Number(r.version),
  };
}

export interface ItemRow {
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
  prepared_by: string | null;
  label?: string | null;
}

/** A stored item as its sender sees it (who prepared it is the approval's business): the queue's claims read this. */
export function itemFromRow<R = unknown>(r: ItemRow): Omit<BatchItem<R>, 'preparedBy'> {
  return {
    batchId: r.batch_id,
    seq: Number(r.seq),
    idempotencyKey: r.idempotency_key,
    kind: r.kind,
    state: r.state,
    request: parseJson(r.request, {} as R),
    response: r.response == null ? null : parseJson(r.response, r.response),
    remoteId: r.remote_id,
    error: r.error,
    attempts: Number(r.attempts),
    updatedAt: r.updated_at,
  };
}

function toItem(r: ItemRow, batchAuthor: Person): BatchItem {
  return { ...itemFromRow(r), preparedBy: storedPeople(r.prepared_by, batchAuthor) };
}

/** What an item holds, as one comparable text: an edit that leaves it the same keeps its preparers. */
const itemContent = (kind: string, requestJson: string) => `${kind}\n${requestJson}`;

/**
 * The batch that holds an item's key, as a new batch with the same key sees it. By default a key
 * held is refused; a job whose ended batches never send again may let a new batch take the key
 * over (`takeOver`): the old item stays as it was, marked superseded by the new batch.
 */
export interface KeyHolder {
  batchId: string;
  seq: number;
  job: string;
  kind: string;
  batchState: BatchState;
  itemState: ItemState;
  /** Its rest was closed without posting: it stays with its batch (server/posting/close-rest.ts). */
  closed: boolean;
}

/**
 * Item states whose document may be in Zoho already without our record: sent and not answered
 * (`sending`), or answered without Zoho confirming it (`needs_review`). Each is looked up (by a batch of
 * the rest before sending, or from the pane: server/posting/look-up-rest.ts) and never closed without
 * posting before that (server/posting/close-rest.ts).
 */
export const UNSURE_STATES = "'sending', 'needs_review'";

/** An item unsure and still left with its batch: not closed without posting, not taken by a batch of the rest. */
export const LEFT_UNSURE = `state IN (${UNSURE_STATES}) AND closed_at IS NULL AND superseded_by IS NULL`;

/**
 * Where each of these batches' items not done went (a batch of the rest took them over), counted
 * per batch, how many were closed without posting, and how many no batch took and none closed: the
 * one rule the progress and the inbox report. Two grouped queries, so a poll stays linear in the
 * items; a batch absent from the map has none not done.
 */
export async function handOnOf(db: Db, ids: readonly string[]): Promise<Map<string, HandOn>> {
  const out = new Map<string, { handedOn: { batchId: string; count: number }[]; notHandedOn: number; unsure?: number; closed?: HandOn['closed'] }>();
  if (ids.length === 0) return out;
  const rows = await db.query<{ batch_id: string; superseded_by: string | null; closed: number | string; unsure: number | string; n: number | string }>(
    `SELECT batch_id, superseded_by, CASE WHEN closed_at IS NULL THEN 0 ELSE 1 END AS closed, CASE WHEN state IN (${UNSURE_STATES}) THEN 1 ELSE 0 END AS unsure, COUNT(*) AS n
     FROM batch_items WHERE batch_id IN (${placeholders(ids.length)}) AND state <> 'done'
     GROUP BY batch_id, superseded_by, CASE WHEN closed_at IS NULL THEN 0 ELSE 1 END, CASE WHEN state IN (${UNSURE_STATES}) THEN 1 ELSE 0 END`,
    [...ids],
  );
  const closedIn = new Set<string>();
  for (const r of rows) {
    let h = out.get(r.batch_id);
    if (!h) out.set(r.batch_id, (h = { handedOn: [], notHandedOn: 0 }));
    const n = Number(r.n);
    const to = r.superseded_by;
    if (to !== null) {
      const same = h.handedOn.find((x) => x.batchId === to);
      if (same) same.count += n;
      else h.handedOn.push({ batchId: to, count: n });
    } else if (Number(r.closed)) closedIn.add(r.batch_id);
    else {
      h.notHandedOn += n;
      if (Number(r.unsure)) h.unsure = (h.unsure ?? 0) + n;
    }
  }
  for (const h of out.values()) h.handedOn.sort((a, b) => (a.batchId < b.batchId ? -1 : a.batchId > b.batchId ? 1 : 0));
  if (closedIn.size) {
    const closed = await db.query<{ batch_id: string; closed_by_name: string; reason: string; closed_count: number | string; closed_at: string }>(
      `SELECT batch_id, closed_by_name, reason, closed_count, closed_at FROM posting_rest_closed WHERE batch_id IN (${placeholders(closedIn.size)})`,
      [...closedIn],
    );
    for (const c of closed) out.get(c.batch_id)!.closed = { count: Number(c.closed_count), byName: c.closed_by_name, reason: c.reason, at: c.closed_at };
  }
  return out;
}

/** Nothing handed on, nothing left: a batch with every item done (or none). */
export const NO_HAND_ON: Readonly<HandOn> = Object.freeze({ handedOn: [], notHandedOn: 0 });

interface HolderRow {
  idempotency_key: string;
  batch_id: string;
  seq: number;
  job: string;
  kind: string;
  batch_state: BatchState;
  item_state: ItemState;
  closed_at: string | null;
}

/** The batch that holds each of these keys now (its live item, not one taken over). */
export async function keyHoldersOf(db: Db, keys: readonly string[]): Promise<Map<string, KeyHolder>> {
  const rows = await queryByKeys<HolderRow>(
    db,
    keys,
    (list) =>
      `SELECT i.idempotency_key, i.batch_id, i.seq, b.job, b.kind, b.state AS batch_state, i.state AS item_state, i.closed_at FROM batch_items i JOIN batches b ON b.id = i.batch_id
       WHERE i.idempotency_key IN (${list}) AND i.superseded_by IS NULL`,
  );
  return new Map(rows.map((r) => [r.idempotency_key, { batchId: r.batch_id, seq: Number(r.seq), job: r.job, kind: r.kind, batchState: r.batch_state, itemState: r.item_state, closed: r.closed_at !== null }]));
}

async function insertItems(tx: Queryable, batchId: string, items: readonly NewBatchItem[], preparedBy: Person, firstSeq = 1, takeOver?: (h: KeyHolder) => boolean): Promise<void> {
  const at = nowIso();
  const keys = new Set<string>();
  // Who holds each key now, read once for all (500 keys a statement), not once per item.
  const holders = await keyHoldersOf(tx, items.map((i) => i.idempotencyKey));
  for (const [i, item] of items.entries()) {
    if (keys.has(item.idempotencyKey)) {
      throw new AppError(409, 'duplicate-idempotency-key', `Two items of this batch share the key "${item.idempotencyKey}"; each item must be unique.`);
    }
    keys.add(item.idempotencyKey);
    const taken = holders.get(item.idempotencyKey);
    // Taken over only while still open: a close of the rest committed since the holder was read wins.
    const tookOver = taken && takeOver?.(taken) && (await tx.exec('UPDATE batch_items SET superseded_by = $3 WHERE batch_id = $1 AND seq = $2 AND closed_at IS NULL', [taken.batchId, taken.seq, batchId])).changes === 1;
    if (taken && !tookOver) {
      throw new AppError(
        409,
        'duplicate-idempotency-key',
        `Item "${item.idempotencyKey}" is already part of batch ${taken.batchId}, so it would be sent twice; remove it from this batch.`,
      );
    }
    await tx.exec(
      `INSERT INTO batch_items (batch_id, seq, idempotency_key, kind, state, request, attempts, updated_at, prepared_by, label)
       VALUES ($1, $2, $3, $4, 'pending', $5, 0, $6, $7, $8)`,
      [
        batchId,
        firstSeq + i,
        item.idempotencyKey,
        item.kind,
        JSON.stringify(item.request ?? {}),
        at,
        toJsonPeople(item.preparedBy?.length ? item.preparedBy : [preparedBy]),
        requestLabel(firstSeq + i, item.request),
      ],
    );
  }
}

export async function createBatch<P>(
  db: Db,
  input: { job: string; kind: string; preparedBy: Person; payload: P; items?: readonly NewBatchItem[]; id?: string; takeOver?: (h: KeyHolder) => boolean },
): Promise<Batch<P>> {
  return inTx(db, async (tx) => {
    const id = input.id ?? newId('bat');
    const at = nowIso();
    await tx.exec(
      `INSERT INTO batches (id, job, kind, state, prepared_by, prepared_by_name, created_at, updated_at, payload, version)
       VALUES ($1, $2, $3, 'awaiting_approval', $4, $5, $6, $6, $7, 1)`,
      [id, input.job, input.kind, input.preparedBy.id, input.preparedBy.name, at, JSON.stringify(input.payload ?? {})],
    );
    await insertItems(tx, id, input.items ?? [], input.preparedBy, 1, input.takeOver);
    await recordVersion(tx, id);
    return (await getBatch<P>(tx, id))!;
  });
}

async function batchRow(db: Db, id: string): Promise<BatchRow | undefined> {
  return db.one<BatchRow>('SELECT * FROM batches WHERE id = $1', [id]);
}

async function itemPreparerTexts(db: Db, ids: readonly string[]): Promise<Map<string, (string | null)[]>> {
  const out = new Map<string, (string | null)[]>(ids.map((id) => [id, []]));
  if (ids.length === 0) return out;
  const rows = await db.query<{ batch_id: string; prepared_by: string | null }>(
    `SELECT batch_id, prepared_by FROM batch_items WHERE batch_id IN (${placeholders(ids.length)})`,
    [...ids],
  );
  for (const r of rows) out.get(r.batch_id)?.push(r.prepared_by);
  return out;
}

export async function getBatch<P = unknown>(db: Db, id: string): Promise<Batch<P> | undefined> {
  const r = await batchRow(db, id);
  return r ? toBatch<P>(r, (await itemPreparerTexts(db, [id])).get(id)!) : undefined;
}

export async function requireBatch<P = unknown>(db: Db, id: string): Promise<Batch<P>> {
  const b = await getBatch<P>(db, id);
  if (!b) throw notFound('batch-not-found', `There is no batch ${id}; it may have been removed or the link is wrong.`);
  return b;
}

export async function listBatches(db: Db, filter: { job?: string; state?: BatchState; limit?: number } = {}): Promise<Batch[]> {
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
  const preparers = await itemPreparerTexts(db, rows.map((r) => r.id));
  return rows.map((r) => toBatch(r, preparers.get(r.id)!));
}

export async function listBatchItems(db: Db, batchId: string): Promise<BatchItem[]> {
  const b = await batchRow(db, batchId);
  const author = b ? recordedPerson(b.prepared_by, b.prepared_by_name) : legacyPerson('unknown');
  const rows = await db.query<ItemRow>('SELECT * FROM batch_items WHERE batch_id = $1 ORDER BY seq', [batchId]);
  return rows.map((r) => toItem(r, author));
}

/**
 * Records a state change of one item (the posting worker writes before and after each remote call).
 * Returns the item as its sender sees it (`itemFromRow`): who prepared it is not read on this path.
 */
export async function updateBatchItem(
  db: Db,
  batchId: string,
  seq: number,
  patch: { state?: ItemState; response?: unknown; remoteId?: string | null; error?: string | null; countAttempt?: boolean },
): Promise<Omit<BatchItem, 'preparedBy'>> {
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
    return itemFromRow((await tx.one<ItemRow>('SELECT * FROM batch_items WHERE batch_id = $1 AND seq = $2', [batchId, seq]))!);
  });
}

export interface Loaded<P> {
  batch: Batch<P>;
  items: BatchItem[];
  approvals: Approval[];
  facts: BatchFacts;
}

/** The batch, its items and approvals, and the facts the lifecycle decides on; locked when inside a transaction. */
async function load<P = unknown>(tx: Queryable, id: string, lock: boolean): Promise<Loaded<P>> {
  const r = await tx.one<BatchRow>(`SELECT * FROM batches WHERE id = $1${lock ? forUpdate(tx) : ''}`, [id]);
  if (!r) throw notFound('batch-not-found', `There is no batch ${id}; it may have been removed or the link is wrong.`);
  const author = recordedPerson(r.prepared_by, r.prepared_by_name);
  const rows = await tx.query<ItemRow>('SELECT * FROM batch_items WHERE batch_id = $1 ORDER BY seq', [id]);
  const items = rows.map((i) => toItem(i, author));
  const batch = toBatch<P>(r, rows.map((i) => i.prepared_by));
  const approvals = await listApprovals(tx, id);
  const facts = factsFrom(batch, author, items.map((i) => ({ seq: i.seq, label: requestLabel(i.seq, i.request), preparedBy: i.preparedBy })), approvals);
  return { batch, items, approvals, facts };
}

/** What the lifecycle decides on, from a batch, its items (labels and preparers) and its decisions. */
export function factsFrom(batch: Pick<Batch, 'id' | 'state' | 'version'>, author: Person, items: BatchFacts['items'], approvals: readonly Approval[]): BatchFacts {
  return { id: batch.id, state: batch.state, version: batch.version, preparedBy: author, items, approvals: approvals.filter((a) => a.decision === 'approved').map(recordedApproval) };
}

/**
 * A batch as its page shows it, from one read: the batch, its items and decisions, the facts the
 * lifecycle and the approval rule decide on (e.g. the actions a user may take) and the standing
 * approval (`currentApproval`). 404 `batch-not-found` when there is none.
 */
export async function batchDetail(db: Db, id: string): Promise<Loaded<unknown> & { approval: Approval | undefined }> {
  return inTx(db, async (tx) => {
    const loaded = await load(tx, id, false);
    return { ...loaded, approval: standingRow(loaded) };
  });
}

/** How a refusal names an item: its file name or document number when the request has one. */
function requestLabel(seq: number, request: unknown): string {
  const req = (request ?? {}) as Record<string, unknown>;
  const name = [req.fileName, req.number, (req.body as Record<string, unknown> | undefined)?.invoice_number].find((v) => typeof v === 'string' && v !== '');
  return name ? `item ${seq} (${String(name)})` : `item ${seq}`;
}

/** An approval as the lifecycle weighs it (the hash only when one was recorded). */
function recordedApproval(a: Approval): RecordedApproval {
  return {
    version: a.batchVersion,
    approvedBy: { id: a.approvedBy, name: a.approvedByName, roles: a.approverRoles },
    ...(a.contentHash ? { contentHash: a.contentHash } : {}),
    ...(a.voided ? { voided: true } : {}),
  };
}

/** Checks a transition against the lifecycle; throws its refusal as an AppError. */
function allow(facts: BatchFacts, action: BatchAction, actor: BatchActor) {
  const t = batchTransition(facts, action, actor);
  if (!t.ok) throw refused(t);
  return t;
}

/**
 * Moves a batch as CloseDesk's sending process does: to `sending` (needs a standing approval),
 * `done` or `failed` (from sending), or `cancelled`. `from` narrows the states the caller expects.
 * People's moves go through decideBatch, editBatch, withdrawBatch and removeBatchItems.
 */
export async function setBatchState(db: Db, id: string, state: BatchState, from?: readonly BatchState[]): Promise<Batch> {
  return inTx(db, async (tx) => {
    const { batch, facts } = await load(tx, id, true);
    if (from && !from.includes(batch.state)) {
      throw new AppError(409, 'wrong-state', `Batch ${id} is ${describeState(batch.state)}, so it cannot become ${describeState(state)}.`);
    }
    const action: BatchAction | undefined =
      state === 'sending'
        ? { type: 'send', contentHash: (await computeBatchContent(tx, id)).hash }
        : (state === 'done' || state === 'failed') && batch.state === 'needs_review'
          ? { type: 'settle', outcome: state }
          : state === 'done' || state === 'failed' || state === 'needs_review'
            ? { type: 'finish', outcome: state }
            : state === 'cancelled'
              ? { type: 'cancel' }
              : undefined;
    if (!action) throw new Error(`setBatchState cannot make a batch ${state}; approvals and edits go through decideBatch and editBatch.`);
    allow(facts, action, WORKER);
    await tx.exec('UPDATE batches SET state = $2, updated_at = $3 WHERE id = $1', [id, state, nowIso()]);
    return (await getBatch(tx, id))!;
  });
}

export function describeState(s: BatchState): string {
  return s.replace(/_/g, ' ');
}

/**
 * Changes a batch's payload and/or items (the lifecycle's `edit`). The version goes up, the editor
 * made this version, an item she changed or added is hers too (unchanged items keep their
 * preparers), and the previous approval no longer counts.
 */
export async function editBatch<P>(
  db: Db,
  input: { id: string; expectedVersion: number; editedBy: User; payload?: P; items?: readonly NewBatchItem[] },
): Promise<Batch<P>> {
  return inTx(db, async (tx) => {
    const { batch: b, items, facts } = await load<P>(tx, input.id, true);
    allow(facts, { type: 'edit', version: input.expectedVersion }, person(input.editedBy));
    const editor: Person = { id: input.editedBy.id, name: input.editedBy.name };
    await tx.exec(
      `UPDATE batches SET payload = $2, version = $3, state = 'awaiting_approval', prepared_by = $4, prepared_by_name = $5, updated_at = $6 WHERE id = $1`,
      [b.id, JSON.stringify(input.payload === undefined ? b.payload : input.payload), b.version + 1, editor.id, editor.name, nowIso()],
    );
    if (input.items) {
      const before = items.map((i) => ({ key: i.idempotencyKey, content: itemContent(i.kind, JSON.stringify(i.request)), preparedBy: i.preparedBy }));
      const after = input.items.map((i) => ({ key: i.idempotencyKey, content: itemContent(i.kind, JSON.stringify(i.request ?? {})) }));
      const preparers = preparersAfterEdit(before, after, editor);
      await tx.exec('DELETE FROM batch_items WHERE batch_id = $1', [b.id]);
      await insertItems(tx, b.id, input.items.map((item, i) => ({ ...item, preparedBy: preparers[i] })), editor);
    }
    await recordVersion(tx, b.id);
    return (await getBatch<P>(tx, b.id))!;
  });
}

/** Approves or rejects the version the approver looked at; the approval rule decides who may. */
export async function decideBatch(
  db: Db,
  input: {
    id: string;
    version: number;
    user: User;
    decision: Decision;
    reason?: string;
    /** The content hash the approver's screen showed; refused when the content is no longer that. */
    reviewedHash?: string;
  },
): Promise<{ batch: Batch; approval: Approval }> {
  return inTx(db, async (tx) => {
    const { facts } = await load(tx, input.id, true);
    // The hash of what would leave now, recorded with the decision: sending compares against it.
    const contentHash = (await computeBatchContent(tx, input.id)).hash;
    const t = allow(
      facts,
      { type: input.decision === 'approved' ? 'approve' : 'reject', version: input.version, reason: input.reason, contentHash, reviewedHash: input.reviewedHash },
      person(input.user),
    );
    const approval: Approval = {
      id: newId('apr'),
      batchId: input.id,
      batchVersion: input.version,
      approvedBy: input.user.id,
      approvedByName: input.user.name,
      approverRoles: [...input.user.roles],
      decidedAt: nowIso(),
      decision: input.decision,
      reason: input.reason?.trim() || null,
      contentHash,
      voided: null,
    };
    await tx.exec(
      `INSERT INTO approvals (id, batch_id, batch_version, approved_by, approved_by_name, approver_roles, decided_at, decision, reason, content_hash)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [
        approval.id,
        approval.batchId,
        approval.batchVersion,
        approval.approvedBy,
        approval.approvedByName,
        JSON.stringify(approval.approverRoles),
        approval.decidedAt,
        approval.decision,
        approval.reason,
        approval.contentHash,
      ],
    );
    await tx.exec('UPDATE batches SET state = $2, updated_at = $3 WHERE id = $1', [input.id, t.to, approval.decidedAt]);
    return { batch: (await getBatch(tx, input.id))!, approval };
  });
}

/** A preparer (or an administrator) withdraws a batch before it is approved: it becomes cancelled and is never sent. */
export async function withdrawBatch(db: Db, input: { id: string; version?: number; user: User }): Promise<Batch> {
  return inTx(db, async (tx) => {
    const { facts } = await load(tx, input.id, true);
    const t = allow(facts, { type: 'withdraw', version: input.version }, person(input.user));
    await tx.exec('UPDATE batches SET state = $2, updated_at = $3 WHERE id = $1', [input.id, t.to, nowIso()]);
    return (await getBatch(tx, input.id))!;
  });
}

/**
 * A preparer removes items before the batch is approved: a new version (awaiting approval) made by
 * her; the removed items are gone and their keys free for another batch.
 */
export async function removeBatchItems(db: Db, input: { id: string; version: number; seqs: readonly number[]; user: User }): Promise<Batch> {
  return inTx(db, async (tx) => {
    const { facts } = await load(tx, input.id, true);
    const t = allow(facts, { type: 'remove-items', version: input.version, seqs: input.seqs }, person(input.user));
    for (const seq of new Set(input.seqs)) await tx.exec('DELETE FROM batch_items WHERE batch_id = $1 AND seq = $2', [input.id, seq]);
    await tx.exec(`UPDATE batches SET state = $2, version = version + 1, prepared_by = $3, prepared_by_name = $4, updated_at = $5 WHERE id = $1`, [
      input.id,
      t.to,
      input.user.id,
      input.user.name,
      nowIso(),
    ]);
    await recordVersion(tx, input.id);
    return (await getBatch(tx, input.id))!;
  });
}

export interface ApprovalRow {
  id: string;
  batch_id: string;
  batch_version: number;
  approved_by: string;
  approved_by_name: string | null;
  approver_roles: string | null;
  decided_at: string;
  decision: Decision;
  reason: string | null;
  content_hash?: string | null;
  voided_at?: string | null;
  void_reason?: string | null;
  voided_hash?: string | null;
}

export async function listApprovals(db: Db, batchId: string): Promise<Approval[]> {
  const rows = await db.query<ApprovalRow>('SELECT * FROM approvals WHERE batch_id = $1 ORDER BY decided_at, id', [batchId]);
  return rows.map(approvalFromRow);
}

export function approvalFromRow(r: ApprovalRow): Approval {
  const who = recordedPerson(r.approved_by, r.approved_by_name);
  const roles = parseJson<unknown>(r.approver_roles, null);
  return {
    id: r.id,
    batchId: r.batch_id,
    batchVersion: Number(r.batch_version),
    approvedBy: who.id,
    approvedByName: who.name,
    // Decisions recorded before roles were kept needed the approver role.
    approverRoles: Array.isArray(roles) ? roles.map(String) : ['approver'],
    decidedAt: r.decided_at,
    decision: r.decision,
    reason: r.reason,
    contentHash: r.content_hash ?? null,
    voided: r.voided_at ? { at: r.voided_at, reason: r.void_reason ?? '', contentHash: r.voided_hash ?? '' } : null,
  };
}

/**
 * The approval that lets the batch be sent: an `approved` decision on the batch's current version
 * whose approver the approval rule still accepts against the current preparers. Undefined when there
 * is none (never approved, voided by an edit, or decided by someone who prepared part of it).
 */
export async function currentApproval(db: Db, batchId: string): Promise<Approval | undefined> {
  return inTx(db, async (tx) => standingRow(await load(tx, batchId, false)));
}

/** The stored approval row the lifecycle counts as standing (see `currentApproval`), from what `load` read. */
function standingRow({ approvals, facts }: Pick<Loaded<unknown>, 'approvals' | 'facts'>): Approval | undefined {
  const standing = standingApproval(facts);
  return standing && approvals.find((a) => a.decision === 'approved' && !a.voided && a.batchVersion === standing.version && a.approvedBy === standing.approvedBy.id);
}

/** Where a refused send is recorded: the audit log (server/audit.ts) and who asked. */
export interface SendRefusalLog {
  audit?: { append(entry: { actor: string; action: string; subjectType?: string; subjectId?: string; details?: Record<string, unknown> }): Promise<unknown> };
  actor: string;
}

/**
 * For the posting worker and delivery, right before sending: throws unless the lifecycle lets the
 * batch be sent now — a standing approval of the current version, of exactly the content that
 * would leave (hashed now). When the content is not what was approved, the approval is voided
 * (`voidApprovalFor`) and the batch awaits approval again. With `log`, the refusal (and the void) is
 * written to the audit log before it is thrown.
 */
export async function assertApprovedForSending(db: Db, batchId: string, log?: SendRefusalLog): Promise<Approval> {
  let contentHash: string | undefined;
  try {
    return await inTx(db, async (tx) => {
      const loaded = await load(tx, batchId, false);
      contentHash = (await computeBatchContent(tx, batchId)).hash;
      allow(loaded.facts, { type: 'send', contentHash }, WORKER);
      return standingRow(loaded)!;
    });
  } catch (e) {
    if (!(e instanceof AppError) || e.statusCode !== 409) throw e;
    const voided = e.code === 'content-changed' && contentHash ? await voidApprovalFor(db, batchId, contentHash, e.message) : undefined;
    if (log?.audit) {
      const approvals = await listApprovals(db, batchId).catch(() => []);
      const approved = voided ?? (await currentApproval(db, batchId).catch(() => undefined)) ?? approvals.filter((a) => a.voided).at(-1);
      await log.audit.append({
        actor: log.actor,
        action: 'batch.send-refused',
        subjectType: 'batch',
        subjectId: batchId,
        details: { code: e.code, reason: e.message, contentHash: contentHash ?? null, approvedHash: approved?.contentHash ?? null },
      });
      if (voided) {
        await log.audit.append({
          actor: log.actor,
          action: 'batch.approval-voided',
          subjectType: 'batch',
          subjectId: batchId,
          details: { approvalId: voided.id, approvedBy: voided.approvedBy, approvedByName: voided.approvedByName, approvedHash: voided.contentHash, contentHash, reason: voided.voided!.reason },
        });
      }
    }
    throw e;
  }
}

/**
 * The sending process found `contentHash` where the standing approval holds another: the lifecycle's
 * `void-approval` — the approval row is marked void (kept as evidence, with the hash found and why)
 * and the batch awaits approval again. Returns the voided approval; undefined when there was nothing
 * to void (another process voided it first, or the content is back to what was approved).
 */
export async function voidApprovalFor(db: Db, batchId: string, contentHash: string, reason: string): Promise<Approval | undefined> {
  return inTx(db, async (tx) => {
    const loaded = await load(tx, batchId, true);
    const t = batchTransition(loaded.facts, { type: 'void-approval', contentHash }, WORKER);
    if (!t.ok) return undefined;
    const row = standingRow(loaded)!;
    const at = nowIso();
    await tx.exec('UPDATE approvals SET voided_at = $2, void_reason = $3, voided_hash = $4 WHERE id = $1', [row.id, at, reason, contentHash]);
    await tx.exec('UPDATE batches SET state = $2, updated_at = $3 WHERE id = $1', [batchId, t.to, at]);
    return { ...row, voided: { at, reason, contentHash } };
  });
}
