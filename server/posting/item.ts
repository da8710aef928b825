/**
 * One document of a posting batch, in its numbered steps: (1) the look-up owed after an unknown
 * outcome, (2) the attempts limit, (3) the body to send, (4) the state written before the call and
 * the call itself through the one Zoho poster, (5) the outcome recorded, or Zoho's error sorted
 * into "finished", "try again later" or "stop the batch".
 *
 * The look-up rule: after an unknown outcome a retry must not be able to create a second document.
 * Invoices carry our number, which Zoho keeps unique (a second copy is refused with 1001), so they
 * are looked up at once. Payments and journals have no such guard: their look-up waits until the
 * last write can no longer reach Zoho — its recorded hard deadline plus the connection's margin —
 * so a write that outlived its worker (a slow Zoho, a killed process) is seen before a retry.
 */
import { paymentNotSentSentence, resolvePaymentBody, type SettlementDocument } from '../../src/settlements/documents';
import { DUPLICATE_GUARD } from '../../src/zoho/documents';
import type { Store } from '../store';
import { updateBatchItem } from '../store/batches';
import type { ZohoClient } from '../zoho/client';
import { describeZohoError, ZohoError } from '../zoho/errors';
import { createOnce, findPosted, type Posted, type Review } from '../zoho/poster';
import { requestPause } from './control';
import { idMapForKeys, recordPosted } from './idmap';
import { releaseItem, type QueueItem } from '../queue/claims';
import { LeaseLost, markExchangeOver, markSent, type QueuedItem } from './queue';
import type { QueueWorker } from '../queue/workers';

/** Why the batch stops before its end. */
export type Stop = { state: 'paused' | 'cancelled' | 'stopped'; message: string };

/** 'finished': done, failed or left for review; 'released': back in the queue (a retry later, or no longer ours). */
export type ItemResult = 'finished' | 'released' | Stop;

interface Work {
  item: QueueItem<SettlementDocument>;
  /** An earlier call's outcome is unknown: look the document up before sending it again. */
  needsLookup: boolean;
  /** When the last write could last have reached Zoho (epoch ms), as recorded before it left; null when never sent. */
  deadlineAt: number | null;
}

export interface ItemContext {
  store: Store;
  batchId: string;
  client: ZohoClient;
  organizationId: string;
  /** Sends per item before it is left for review. */
  maxAttempts: number;
  /** How long Zoho may still apply a write after its deadline (the connection's margin). */
  lateWriteMarginMs: number;
  /** The worker holding the item's lease. */
  worker: QueueWorker;
}

/** When the look-up owed for this item may run (epoch ms): at once when Zoho guards the kind, else after the last write's deadline plus the margin. */
function lookUpAfter(ctx: ItemContext, w: Work): number {
  if (DUPLICATE_GUARD[w.item.request.kind] === 'unique-number') return 0;
  return lastWriteLandsBy(w.item, w.deadlineAt, ctx.client.timeoutMs, ctx.lateWriteMarginMs);
}

/**
 * When the item's last write can no longer reach Zoho (epoch ms): its recorded deadline plus the
 * connection's margin. The worker's look-up skips the wait for a kind Zoho guards (a re-send is
 * refused, 1001); a look-up whose "not found" lets the document be closed without posting
 * (look-up-rest.ts) has no re-send to guard it, so it waits for every kind.
 */
export function lastWriteLandsBy(item: { updatedAt: string }, deadlineAt: number | null, timeoutMs: number, lateWriteMarginMs: number): number {
  // An item left `sending` before deadlines were recorded: its state was written just before the call.
  const deadline = deadlineAt ?? Date.parse(item.updatedAt) + timeoutMs;
  return deadline + lateWriteMarginMs;
}

/** A retry's back-off after a call that applied nothing or whose outcome is being looked up. */
const backoff = (attempts: number) => Math.min(10_000, 250 * 2 ** Math.min(attempts, 6));

/** Posts one claimed item (the worker holds its lease). */
export async function postItem(ctx: ItemContext, claimed: QueuedItem): Promise<ItemResult> {
  const w: Work = { item: claimed.item, needsLookup: claimed.item.state === 'sending', deadlineAt: claimed.deadlineAt };
  const doc = w.item.request;
  try {
    // 1. After an unknown outcome the document may be in Zoho already: find it before anything is
    //    sent again — for a kind Zoho does not guard, only once the last write can no longer land.
    if (w.needsLookup) {
      const after = lookUpAfter(ctx, w);
      if (Date.now() < after) {
        await releaseItem(ctx.store, ctx.batchId, w.item.seq, ctx.worker, after);
        return 'released';
      }
      const found = await findPosted(ctx.client, doc);
      if (found) return await settle(ctx, w, found);
      w.needsLookup = false;
      await updateBatchItem(ctx.store, ctx.batchId, w.item.seq, { state: 'pending' });
    }
    // 2. Zoho kept failing without saying no: a person looks before we try again.
    if (w.item.attempts >= ctx.maxAttempts) {
      await leave(ctx, w, 'needs_review', `Zoho did not confirm this ${doc.kind} after ${w.item.attempts} attempts; check Zoho, then post it again.`, w.item.response);
      return 'finished';
    }
    // 3. The body: a payment names its invoices' Zoho ids; a document whose dependencies are missing is not sent.
    const body = await bodyToSend(ctx, doc);
    if (typeof body === 'string') {
      await leave(ctx, w, 'failed', body, null);
      return 'finished';
    }
    // 4. The state before each attempt leaves, with its send time and hard deadline: if we die now,
    //    the next worker looks this item up first, and not before that write can no longer land.
    let first = true;
    const posted = await createOnce(ctx.client, doc, body, {
      onSend: async (a) => {
        w.item.attempts = await markSent(ctx.store, ctx.batchId, w.item.seq, ctx.worker, a, first);
        first = false;
        w.deadlineAt = a.deadline;
      },
    });
    // 5. The outcome, recorded with the Zoho id in one transaction.
    return await settle(ctx, w, posted);
  } catch (e) {
    // Lost the lease before the write left: nothing was sent; whoever holds the item goes on.
    if (e instanceof LeaseLost) return 'released';
    if (!(e instanceof ZohoError)) throw e;
    return sortError(ctx, w, e);
  }
}

/** The body as sent, or the sentence saying why it is not sent. */
async function bodyToSend(ctx: ItemContext, doc: SettlementDocument): Promise<object | string> {
  if (doc.kind === 'payment') {
    const ids = await idMapForKeys(ctx.store, doc.applies.map((a) => a.idempotencyKey).filter(Boolean));
    const resolved = resolvePaymentBody(doc, (k) => ids.get(k)?.zohoId);
    if (!resolved.ok) return paymentNotSentSentence(resolved.missing);
    return resolved.body;
  }
  if (doc.dependsOn?.length) {
    const ids = await idMapForKeys(ctx.store, doc.dependsOn);
    const missing = doc.dependsOn.filter((k) => !ids.has(k));
    if (missing.length) return `Not sent: it needs ${missing.join(', ')} posted first.`;
  }
  return doc.body;
}

async function settle(ctx: ItemContext, w: Work, r: Posted | Review): Promise<'finished'> {
  if (r.state === 'review') {
    await leave(ctx, w, 'needs_review', r.message, { ...(r.code === undefined ? {} : { code: r.code }), ...r.evidence });
    return 'finished';
  }
  await recordPosted(ctx.store, w.item, postedRecord(ctx.organizationId, w.item.request, r));
  return 'finished';
}

/** What is recorded for a document found or created in Zoho (the id map's entry and the item's response). */
export function postedRecord(organizationId: string, doc: SettlementDocument, r: Posted): Parameters<typeof recordPosted>[2] {
  const f = r.found;
  return {
    organizationId,
    zohoId: f.zohoId,
    number: f.number ?? undefined,
    adopted: r.adopted,
    response: { zohoId: f.zohoId, number: f.number, adopted: r.adopted, ...(r.note ? { note: r.note } : {}), total: f.entity[doc.kind === 'payment' ? 'amount' : 'total'] ?? null, status: f.entity.status ?? null },
  };
}

function leave(ctx: ItemContext, w: Work, state: 'failed' | 'needs_review', error: string, response: unknown) {
  return updateBatchItem(ctx.store, ctx.batchId, w.item.seq, { state, error, response });
}

export function errorResponse(e: ZohoError): Record<string, unknown> {
  return { httpStatus: e.details.httpStatus ?? null, code: e.details.code ?? null, message: e.details.zohoMessage ?? e.message, body: e.details.body ?? '' };
}

async function sortError(ctx: ItemContext, w: Work, e: ZohoError): Promise<ItemResult> {
  if (e.kind === 'rejected') {
    await leave(ctx, w, 'failed', describeZohoError(e), errorResponse(e));
    return 'finished';
  }
  // The exchange is over (answered, or its socket closed before the deadline): Zoho's margin for a
  // late write counts from now.
  if (w.deadlineAt !== null && Date.now() < w.deadlineAt) {
    w.deadlineAt = Date.now();
    await markExchangeOver(ctx.store, ctx.batchId, w.item.seq, w.deadlineAt);
  }
  // Unknown outcome: stay `sending`, looked up before any retry. Otherwise (44, 1070, 45, a token
  // that needs a reconnect) this call applied nothing, but a look-up still owed stays owed.
  if (e.kind === 'uncertain') w.needsLookup = true;
  await updateBatchItem(ctx.store, ctx.batchId, w.item.seq, { state: w.needsLookup ? 'sending' : 'pending', response: errorResponse(e), error: describeZohoError(e) });
  switch (e.kind) {
    case 'uncertain':
    case 'rate-limited': {
      const notBefore = Math.max(Date.now() + backoff(w.item.attempts), w.needsLookup ? lookUpAfter(ctx, w) : 0);
      await releaseItem(ctx.store, ctx.batchId, w.item.seq, ctx.worker, notBefore);
      return 'released';
    }
    case 'daily-limit': {
      await releaseItem(ctx.store, ctx.batchId, w.item.seq, ctx.worker);
      const until = new Date(e.details.resetAt ?? Date.now() + 3600_000);
      await requestPause(ctx.store, ctx.batchId, e.message, until);
      return { state: 'paused', message: e.message };
    }
    case 'reconnect':
      await releaseItem(ctx.store, ctx.batchId, w.item.seq, ctx.worker);
      await requestPause(ctx.store, ctx.batchId, e.message);
      return { state: 'paused', message: e.message };
  }
}
