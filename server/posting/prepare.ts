/**
 * Prepare batch: settlement documents → a batch awaiting approval (maker-checker), items in the
 * document order (src/zoho/documents.ts), each keyed by its idempotency key.
 * Documents already posted (in the id map) are refused rather than queued twice.
 */
import type { Person } from '../../src/approval';
import type { SettlementDocument } from '../../src/settlements/documents';
import { documentRank, isDocumentKind } from '../../src/zoho/documents';
import type { Audit } from '../audit';
import { badRequest } from '../errors';
import type { Store } from '../store';
import { createBatch, type Batch } from '../store/batches';
import { getConnection } from '../zoho/connections';
import { idMapForKeys } from './idmap';
import { POSTING_JOB, POSTING_KIND, type PostingPayload } from './worker';

export async function preparePostingBatch(
  deps: { store: Store; audit?: Audit },
  input: { connectionId: string; documents: readonly SettlementDocument[]; preparedBy: Person; title?: string },
): Promise<Batch<PostingPayload>> {
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
  const posted = await idMapForKeys(deps.store, [...keys]);
  if (posted.size) {
    const first = [...posted.values()].slice(0, 5).map((e) => `${e.idempotencyKey} (Zoho ${e.zohoId})`);
    throw badRequest('already-posted', `${posted.size} of these documents are already in Zoho: ${first.join(', ')}${posted.size > 5 ? ' …' : ''}. Remove them from the batch.`);
  }
  const ordered = [...input.documents].sort((a, b) => documentRank(a.kind) - documentRank(b.kind));
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
    });
    await deps.audit?.append({ actor: input.preparedBy.id, action: 'batch.prepared', subjectType: 'batch', subjectId: batch.id, details: { job: POSTING_JOB, connection: connection.name, counts } }, tx);
    return batch;
  });
}
