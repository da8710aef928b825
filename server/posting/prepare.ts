/**
 * Prepare batch: settlement documents → a batch awaiting approval (maker-checker), items in the
 * document order (src/zoho/documents.ts), each keyed by its idempotency key.
 * Documents already posted (in the id map) are refused rather than queued twice — or, on request
 * (`rest`), left out: the documents a failed or cancelled batch did not post go in a new batch. The
 * rest leaves out too a document another batch holds and may still post (a batch of the rest that
 * took only part of it), so a second rest takes exactly the documents no batch holds any more, and
 * a document whose batch closed it without posting (close-rest.ts): it is not posted from here again.
 */
import type { Person } from '../../src/approval';
import type { SettlementDocument } from '../../src/settlements/documents';
import { countOf, formatCount } from '../../src/kernel/counts';
import { documentRank, isDocumentKind } from '../../src/zoho/documents';
import type { Audit } from '../audit';
import { AppError, badRequest } from '../errors';
import type { Queryable, Store } from '../store';
import { createBatch, keyHoldersOf, type Batch, type KeyHolder } from '../store/batches';
import { getConnection } from '../zoho/connections';
import { idMapForKeys, type IdMapEntry } from './idmap';
import { POSTING_JOB, POSTING_KIND, type PostingPayload } from './worker';

/**
 * Which of these documents are already in Zoho: the ones in the id map. The only rule, for refusing
 * and for leaving out alike. (A document another batch left `failed` is not: Zoho refused it. One
 * left `sending` or `needs_review` may be, unrecorded: the new batch looks it up first, see below.)
 */
export function alreadyInZoho(db: Store | Queryable, keys: readonly string[]): Promise<Map<string, IdMapEntry>> {
  return idMapForKeys(db, keys);
}

/**
 * A new posting batch may take a document's key over from a batch that ended without posting it
 * and never sends again: rejected, cancelled, or failed (a failed posting is not resumed; a failed
 * correction is, so it keeps its keys). Any other holder (waiting, approved, sending, in review) keeps it.
 */
export function mayTakeOverKey(h: KeyHolder): boolean {
  // A document closed without posting stays closed (until its rest is reopened): finance decided it is not posted (close-rest.ts).
  if (h.job !== POSTING_JOB || h.itemState === 'done' || h.closed) return false;
  return h.batchState === 'rejected' || h.batchState === 'cancelled' || (h.batchState === 'failed' && h.kind === POSTING_KIND);
}

/**
 * A document an ended batch left `sending` (a cancelled one: the outcome of its last write is unknown)
 * or `needs_review` (Zoho did not confirm it, or a look-up found something not quite it): it may be in
 * Zoho without our record of it. The new item carries that over (`sending`, with the old write's
 * deadline), so the worker looks the document up before sending it again, as after a crash
 * (server/posting/item.ts); a person's "check Zoho, then post it again" is then done by the look-up.
 */
async function carryOwedLookUps(tx: Queryable, batchId: string): Promise<void> {
  await tx.exec(
    `UPDATE batch_items SET state = 'sending',
       deadline_at = (SELECT o.deadline_at FROM batch_items o WHERE o.superseded_by = $1 AND o.idempotency_key = batch_items.idempotency_key)
     WHERE batch_id = $1 AND idempotency_key IN (SELECT idempotency_key FROM batch_items WHERE superseded_by = $1 AND state IN ('sending', 'needs_review'))`,
    [batchId],
  );
}

/** Documents of the rest left out because a live batch holds them: which batch, how many. */
export interface HeldElsewhere {
  batchId: string;
  count: number;
}

/**
 * Which of these keys (none in Zoho) a batch holds that may still post them (`mayTakeOverKey` says
 * no), and which an ended batch closed without posting: key → that batch. (A key held by an ended
 * batch and not closed is taken over by the new one instead.)
 */
async function heldOrClosed(db: Store, keys: readonly string[]): Promise<{ held: Map<string, string>; closed: Map<string, string> }> {
  const held = new Map<string, string>();
  const closed = new Map<string, string>();
  for (const [key, h] of await keyHoldersOf(db, keys)) {
    if (h.closed) closed.set(key, h.batchId);
    else if (!mayTakeOverKey(h)) held.set(key, h.batchId);
  }
  return { held, closed };
}

function countByBatch(held: ReadonlyMap<string, string>): HeldElsewhere[] {
  const n = new Map<string, number>();
  for (const b of held.values()) n.set(b, (n.get(b) ?? 0) + 1);
  return [...n].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([batchId, count]) => ({ batchId, count }));
}

export async function preparePostingBatch(
  deps: { store: Store; audit?: Audit },
  input: {
    connectionId: string;
    documents: readonly SettlementDocument[];
    preparedBy: Person;
    title?: string;
    /** Leave out the documents already in Zoho (the rest of a failed or cancelled batch) instead of refusing. */
    rest?: boolean;
  },
): Promise<Batch<PostingPayload> & { leftOut: number; heldElsewhere: HeldElsewhere[]; closedLeftOut: number }> {
  const connection = await getConnection(deps.store, input.connectionId);
  if (input.documents.length === 0) throw badRequest('no-documents', 'There is nothing to post: the batch has no documents.');
  const problems: string[] = [];
  const keys = new Set<string>();
  for (const [i, d] of input.documents.entries()) {
    if (!d || !isDocumentKind(d.kind)) problems.push(`document ${i + 1} has no kind invoice, payment or journal`);
    else if (!d.idempotencyKey) problems.push(`document ${i + 1} has no idempotency key`);
    else if (keys.has(d.idempotencyKey)) problems.push(`${d.idempotencyKey} appears twice`);
    else if (!d.body || typeof d.body !== 'object') problems.push(`${d.idempotencyKey} has no Zoho body`);
    if (d?.idempotencyKey) keys.add(d.idempotencyKey);
  }
  if (problems.length) throw badRequest('bad-documents', `The documents cannot be posted: ${problems.slice(0, 10).join('; ')}${problems.length > 10 ? ` and ${problems.length - 10} more` : ''}.`);
  const posted = await alreadyInZoho(deps.store, [...keys]);
  if (posted.size && !input.rest) {
    const first = [...posted.values()].slice(0, 5).map((e) => `${e.idempotencyKey} (Zoho ${e.zohoId})`);
    throw badRequest('already-posted', `${posted.size} of these documents are already in Zoho: ${first.join(', ')}${posted.size > 5 ? ' …' : ''}. Remove them from the batch.`);
  }
  const { held: live, closed } = await heldOrClosed(deps.store, [...keys].filter((k) => !posted.has(k)));
  if (closed.size && !input.rest) {
    const first = [...closed].slice(0, 5).map(([k, b]) => `${k} (batch ${b})`);
    throw badRequest('closed-without-posting', `${closed.size} of these documents ${closed.size === 1 ? 'was' : 'were'} closed without posting: ${first.join(', ')}${closed.size > 5 ? ' …' : ''}. Remove ${closed.size === 1 ? 'it' : 'them'} from the batch.`);
  }
  // Only the rest leaves out what a live batch holds; a whole batch is refused for it when inserted.
  const held = input.rest ? live : new Map<string, string>();
  const heldElsewhere = countByBatch(held);
  const rest = input.documents.filter((d) => !posted.has(d.idempotencyKey) && !held.has(d.idempotencyKey) && !closed.has(d.idempotencyKey));
  if (rest.length === 0 && held.size) {
    // What is not in Zoho is in a batch that may still post it: preparing it again would send it twice.
    const where = heldElsewhere.map((h) => h.batchId).join(', ');
    throw new AppError(409, 'duplicate-idempotency-key', `The ${countOf(held.size, 'document')} not in Zoho ${held.size === 1 ? 'is' : 'are'} already part of batch${heldElsewhere.length > 1 ? 'es' : ''} ${where}, so ${held.size === 1 ? 'it' : 'they'} would be sent twice: there is nothing left to prepare.`);
  }
  if (rest.length === 0 && closed.size) {
    const where = [...new Set(closed.values())].sort().join(', ');
    const inZoho = posted.size ? `${formatCount(posted.size)} ${posted.size === 1 ? 'is' : 'are'} already in Zoho and ` : '';
    throw badRequest('nothing-left', `Of these ${countOf(keys.size, 'document')}, ${inZoho}${formatCount(closed.size)} ${closed.size === 1 ? 'was' : 'were'} closed without posting (batch ${where}): there is nothing left to post.`);
  }
  if (rest.length === 0) throw badRequest('nothing-left', `All ${countOf(posted.size, 'document')} ${posted.size === 1 ? 'is' : 'are'} already in Zoho: there is nothing left to post.`);
  const ordered = [...rest].sort((a, b) => documentRank(a.kind) - documentRank(b.kind));
  const counts: Record<string, number> = {};
  for (const d of ordered) counts[d.kind] = (counts[d.kind] ?? 0) + 1;
  const payload: PostingPayload = { connectionId: connection.id, organizationId: connection.organizationId, title: input.title, counts };
  return deps.store.transaction(async (tx) => {
    const batch = await createBatch<PostingPayload>(tx, {
      job: POSTING_JOB,
      kind: POSTING_KIND,
      preparedBy: input.preparedBy,
      payload,
      items: ordered.map((d) => ({ kind: d.kind, idempotencyKey: d.idempotencyKey, request: d })),
      takeOver: mayTakeOverKey,
    });
    await carryOwedLookUps(tx, batch.id);
    // Where the documents were before (an ended batch that did not post them), and what was left out.
    const before = (await tx.query<{ batch_id: string }>('SELECT DISTINCT batch_id FROM batch_items WHERE superseded_by = $1 ORDER BY batch_id', [batch.id])).map((r) => r.batch_id);
    const more = { ...(input.rest ? { leftOut: posted.size } : {}), ...(heldElsewhere.length ? { heldElsewhere } : {}), ...(closed.size ? { closedLeftOut: closed.size } : {}), ...(before.length ? { takenOverFrom: before } : {}) };
    await deps.audit?.append({ actor: input.preparedBy.id, action: 'batch.prepared', subjectType: 'batch', subjectId: batch.id, details: { job: POSTING_JOB, connection: connection.name, counts, ...more } }, tx);
    return { ...batch, leftOut: posted.size, heldElsewhere, closedLeftOut: closed.size };
  });
}
