/**
 * What the census found after a batch, and how a person resolves it. A finding keeps its evidence
 * (the key, every copy Zoho holds with its id and amount, the id the batch recorded). A duplicate is
 * resolved by keeping one copy and removing the others from Zoho — itself a batch that someone
 * other than its preparer approves before anything is sent, like any posting. Other findings (a
 * missing copy, another id or amount) are checked in Zoho by a person, who closes them with a reason.
 * When no finding of a batch is left open, the batch counts as posted.
 */
import type { Finding } from '../../src/zoho/census';
import type { Person } from '../../src/approval';
import type { DocumentKind } from '../../src/zoho/documents';
import type { Audit } from '../audit';
import { badRequest, conflict, notFound } from '../errors';
import type { Secrets } from '../secrets';
import type { Queryable, Store } from '../store';
import { newId, nowIso, parseJson } from '../store/ids';
import { assertApprovedForSending, createBatch, currentApproval, listBatchItems, requireBatch, setBatchState, updateBatchItem, type Batch } from '../store/batches';
import { clientFor, type ClientOptions } from '../zoho/connections';
import { describeZohoError, ZohoError } from '../zoho/errors';
import { removeCopy } from '../zoho/poster';
import { recordPosted } from './idmap';

export const CORRECTION_KIND = 'zoho-correction';

export type FindingState = 'open' | 'correcting' | 'resolved';

export interface StoredFinding extends Finding {
  id: string;
  batchId: string;
  state: FindingState;
  correctionBatchId: string | null;
  /** `by` is the identity key; `byName` what the pane shows. */
  resolution: { by: string; byName: string; action: 'kept-one' | 'checked'; keepZohoId?: string; removed?: string[]; reason?: string } | null;
  createdAt: string;
  resolvedAt: string | null;
}

interface Row {
  id: string;
  batch_id: string;
  evidence: string;
  state: FindingState;
  correction_batch_id: string | null;
  resolution: string | null;
  created_at: string;
  resolved_at: string | null;
}

const toFinding = (r: Row): StoredFinding => ({
  ...parseJson<Finding>(r.evidence, {} as Finding),
  id: r.id,
  batchId: r.batch_id,
  state: r.state,
  correctionBatchId: r.correction_batch_id,
  resolution: r.resolution ? parseJson(r.resolution, null) : null,
  createdAt: r.created_at,
  resolvedAt: r.resolved_at,
});

export async function recordFindings(tx: Queryable, batchId: string, findings: readonly Finding[]): Promise<StoredFinding[]> {
  const at = nowIso();
  for (const f of findings) {
    await tx.exec(
      `INSERT INTO posting_findings (id, batch_id, seq, idempotency_key, kind, type, evidence, state, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 'open', $8)`,
      [newId('fnd'), batchId, f.seq, f.idempotencyKey, f.kind, f.type, JSON.stringify(f), at],
    );
  }
  return listFindings(tx, { batchId });
}

export async function listFindings(db: Store | Queryable, filter: { batchId?: string; state?: FindingState } = {}): Promise<StoredFinding[]> {
  const where: string[] = [];
  const params: string[] = [];
  if (filter.batchId) where.push(`batch_id = $${params.push(filter.batchId)}`);
  if (filter.state) where.push(`state = $${params.push(filter.state)}`);
  const rows = await db.query<Row>(`SELECT * FROM posting_findings${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at, seq, id LIMIT 1000`, params);
  return rows.map(toFinding);
}

export async function requireFinding(db: Store | Queryable, id: string): Promise<StoredFinding> {
  const r = await db.one<Row>('SELECT * FROM posting_findings WHERE id = $1', [id]);
  if (!r) throw notFound('finding-not-found', `There is no finding ${id}.`);
  return toFinding(r);
}

/** One copy to take out of Zoho, as a correction batch item. */
export interface CorrectionRequest {
  findingId: string;
  sourceBatchId: string;
  seq: number;
  idempotencyKey: string;
  documentKind: DocumentKind;
  /** The copy to remove. */
  zohoId: string;
  /** The copy kept (recorded in the id map once the others are gone). */
  keepZohoId: string;
  cents: number | null;
}

export interface CorrectionPayload {
  connectionId: string;
  organizationId: string;
  sourceBatchId: string;
  findingId: string;
  title: string;
}

/**
 * Proposes to resolve a duplicate: keep `keepZohoId`, remove every other copy. Makes a correction
 * batch awaiting approval by someone other than `user`; nothing is sent before that.
 */
export async function proposeCorrection(deps: { store: Store; audit?: Audit }, input: { findingId: string; keepZohoId: string; user: Person }): Promise<Batch<CorrectionPayload>> {
  return deps.store.transaction(async (tx) => {
    const f = await requireFinding(tx, input.findingId);
    if (f.state !== 'open') throw conflict('finding-not-open', `Finding ${f.id} is ${f.state === 'correcting' ? `being corrected by batch ${f.correctionBatchId}` : 'resolved'} already.`);
    if (f.type !== 'duplicate') throw badRequest('not-a-duplicate', `Finding ${f.id} is not a duplicate; check the document in Zoho and close the finding with a reason.`);
    if (!f.copies.some((c) => c.zohoId === input.keepZohoId)) throw badRequest('unknown-copy', `${input.keepZohoId} is not one of the copies Zoho holds (${f.copies.map((c) => c.zohoId).join(', ')}).`);
    const source = await requireBatch<{ connectionId: string; organizationId: string }>(tx, f.batchId);
    const remove = f.copies.filter((c) => c.zohoId !== input.keepZohoId);
    const payload: CorrectionPayload = {
      connectionId: source.payload.connectionId,
      organizationId: source.payload.organizationId,
      sourceBatchId: f.batchId,
      findingId: f.id,
      title: `Keep ${f.kind} ${input.keepZohoId}, remove ${remove.map((c) => c.zohoId).join(', ')} (${f.key.field.replace('_', ' ')} ${f.key.value})`,
    };
    const batch = await createBatch<CorrectionPayload>(tx, {
      job: source.job,
      kind: CORRECTION_KIND,
      preparedBy: input.user,
      payload,
      items: remove.map((c) => ({
        kind: `remove-${f.kind}`,
        idempotencyKey: `remove:${f.kind}:${c.zohoId}`,
        request: { findingId: f.id, sourceBatchId: f.batchId, seq: f.seq, idempotencyKey: f.idempotencyKey, documentKind: f.kind, zohoId: c.zohoId, keepZohoId: input.keepZohoId, cents: c.cents } satisfies CorrectionRequest,
      })),
    });
    await tx.exec("UPDATE posting_findings SET state = 'correcting', correction_batch_id = $2 WHERE id = $1", [f.id, batch.id]);
    await deps.audit?.append({ actor: input.user.id, action: 'posting.correction-prepared', subjectType: 'batch', subjectId: batch.id, details: { finding: f.id, sourceBatch: f.batchId, keep: input.keepZohoId, remove: remove.map((c) => c.zohoId) } }, tx);
    return batch;
  });
}

/** Closes a finding a person checked in Zoho (a missing copy, another id or amount), with the reason. */
export async function closeFinding(deps: { store: Store; audit?: Audit }, input: { findingId: string; user: Person; reason: string }): Promise<StoredFinding> {
  if (!input.reason.trim()) throw badRequest('reason-required', 'Say what you checked in Zoho, so the audit shows why the finding is closed.');
  await deps.store.transaction(async (tx) => {
    const f = await requireFinding(tx, input.findingId);
    if (f.state !== 'open') throw conflict('finding-not-open', `Finding ${f.id} is not open.`);
    await resolve(tx, f, { by: input.user.id, byName: input.user.name, action: 'checked', reason: input.reason.trim() });
    await deps.audit?.append({ actor: input.user.id, action: 'posting.finding-closed', subjectType: 'batch', subjectId: f.batchId, details: { finding: f.id, type: f.type, key: f.key, reason: input.reason.trim() } }, tx);
    await settleSourceBatch(tx, f.batchId, input.user.id, deps.audit);
  });
  return requireFinding(deps.store, input.findingId);
}

async function resolve(tx: Queryable, f: StoredFinding, resolution: NonNullable<StoredFinding['resolution']>): Promise<void> {
  await tx.exec("UPDATE posting_findings SET state = 'resolved', resolution = $2, resolved_at = $3 WHERE id = $1", [f.id, JSON.stringify(resolution), nowIso()]);
}

/** A batch in review counts as posted once none of its findings is left open. */
async function settleSourceBatch(tx: Queryable, batchId: string, actor: string, audit?: Audit): Promise<void> {
  const open = await tx.one<{ n: number }>("SELECT COUNT(*) AS n FROM posting_findings WHERE batch_id = $1 AND state <> 'resolved'", [batchId]);
  if (Number(open?.n ?? 0) > 0) return;
  const b = await requireBatch(tx, batchId);
  if (b.state !== 'needs_review') return;
  const unfinished = await tx.one<{ n: number }>("SELECT COUNT(*) AS n FROM batch_items WHERE batch_id = $1 AND state <> 'done'", [batchId]);
  const state = Number(unfinished?.n ?? 0) > 0 ? 'failed' : 'done';
  await setBatchState(tx, batchId, state, ['needs_review']);
  await audit?.append({ actor, action: `posting.${state}`, subjectType: 'batch', subjectId: batchId, details: { after: 'review' } }, tx);
}

/**
 * Sends an approved correction batch: each copy is removed from Zoho (already gone counts as done),
 * the kept copy becomes the document's id, and the finding is resolved.
 */
export async function runCorrection(deps: { store: Store; secrets: Secrets; audit?: Audit }, batchId: string, o: { actor: string; actorName?: string; clientOptions?: ClientOptions }): Promise<{ state: 'done' | 'failed'; message: string }> {
  const { store } = deps;
  const batch = await requireBatch<CorrectionPayload>(store, batchId);
  if (batch.kind !== CORRECTION_KIND) throw conflict('not-a-correction', `Batch ${batchId} is not a correction batch.`);
  if (batch.state === 'failed') {
    // A correction that failed part-way runs again under the same approval.
    if (!(await currentApproval(store, batchId))) throw conflict('not-approved', `Correction ${batchId} has no valid approval; it cannot be sent.`);
    await setBatchState(store, batchId, 'sending', ['failed']);
  } else if (batch.state !== 'sending') {
    await assertApprovedForSending(store, batchId, { audit: deps.audit, actor: o.actor });
    await setBatchState(store, batchId, 'sending', ['approved']);
  }
  await deps.audit?.append({ actor: o.actor, action: 'posting.correction-started', subjectType: 'batch', subjectId: batchId });
  const { client } = await clientFor(deps, batch.payload.connectionId, o.clientOptions);
  const items = await listBatchItems(store, batchId);
  let failed = 0;
  for (const item of items) {
    if (item.state === 'done') continue;
    const req = item.request as CorrectionRequest;
    await updateBatchItem(store, batchId, item.seq, { state: 'sending', countAttempt: true });
    try {
      const how = await removeCopy(client, req.documentKind, req.zohoId);
      await updateBatchItem(store, batchId, item.seq, { state: 'done', remoteId: req.zohoId, response: { removed: req.zohoId, how }, error: null });
    } catch (e) {
      if (!(e instanceof ZohoError)) throw e;
      failed++;
      await updateBatchItem(store, batchId, item.seq, { state: e.kind === 'uncertain' ? 'sending' : 'failed', error: describeZohoError(e), response: { code: e.code ?? null, body: e.details.body ?? '' } });
    }
  }
  if (failed) {
    await setBatchState(store, batchId, 'failed', ['sending']);
    await deps.audit?.append({ actor: o.actor, action: 'posting.correction-failed', subjectType: 'batch', subjectId: batchId });
    return { state: 'failed', message: `${failed} of ${items.length} copies could not be removed from Zoho (see their status); run the correction again.` };
  }
  const first = items[0]!.request as CorrectionRequest;
  await store.transaction(async (tx) => {
    const f = await requireFinding(tx, first.findingId);
    const source = (await listBatchItems(tx, first.sourceBatchId)).find((i) => i.seq === first.seq);
    // The kept copy is the document's id from now on.
    if (source && source.remoteId !== first.keepZohoId) {
      await recordPosted(tx, source, { organizationId: batch.payload.organizationId, zohoId: first.keepZohoId, adopted: true, response: { ...(source.response as object), zohoId: first.keepZohoId, note: `kept after review; removed ${items.map((i) => (i.request as CorrectionRequest).zohoId).join(', ')}` } });
    }
    await resolve(tx, f, { by: o.actor, byName: o.actorName ?? o.actor, action: 'kept-one', keepZohoId: first.keepZohoId, removed: items.map((i) => (i.request as CorrectionRequest).zohoId) });
    await setBatchState(tx, batchId, 'done', ['sending']);
    await deps.audit?.append({ actor: o.actor, action: 'posting.correction-done', subjectType: 'batch', subjectId: batchId, details: { finding: f.id, kept: first.keepZohoId } }, tx);
    await settleSourceBatch(tx, first.sourceBatchId, o.actor, deps.audit);
  });
  return { state: 'done', message: `Removed ${items.length} cop${items.length === 1 ? 'y' : 'ies'} from Zoho; ${first.keepZohoId} is kept.` };
}
