/**
 * Posting settlement documents to Zoho for the task pane: prepare a batch (maker), start it after
 * a second person approved it (/api/batches/:id/approve), follow its progress by polling (with who
 * holds its documents and what they wait for), pause, resume, cancel, take over a silent worker's
 * documents, look up the unsure rest of an ended posting in Zoho, close that rest without posting it (and reopen it), read each document's status for
 * the sheets' STATUS column, and review what the census found. The posting service runs with the server: it goes on with interrupted batches by itself.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { SettlementDocument } from '../../src/settlements/documents';
import { sentBatchSentence } from '../../src/batches/outcome';
import type { AppContext } from '../context';
import { conflict } from '../errors';
import { currentUser, parseWith } from '../http';
import { placeholders } from '../store';
import { requestCancel, requestPause, requestResume } from '../posting/control';
import { closeRest, reopenRest } from '../posting/close-rest';
import { lookUpRest } from '../posting/look-up-rest';
import { preparePostingBatch } from '../posting/prepare';
import { batchProgress, documentStatuses, itemStatuses, leaseView } from '../posting/progress';
import { closeFinding, CORRECTION_KIND, listFindings, proposeCorrection, requireFinding } from '../posting/review';
import { isRunning, lastOutcome, startPosting, startPostingService, stopPostingService } from '../posting/runner';
import { processWorker } from '../queue/process';
import { seenWorkers } from '../queue/workers';
import { POSTING_JOB } from '../posting/worker';
import { assertApprovedForSending, currentApproval, requireBatch, type Batch } from '../store/batches';

const prepareBody = z.object({
  connectionId: z.string().min(1, 'choose a Zoho connection'),
  title: z.string().max(300).optional(),
  // The documents are checked by preparePostingBatch (and again by Zoho's schema in the sandbox).
  documents: z.array(z.record(z.unknown())).min(1, 'there is nothing to post').max(100_000),
  // The rest of a failed or cancelled batch: documents already in Zoho are left out, not refused.
  rest: z.boolean().optional(),
});
const statusesBody = z.object({ keys: z.array(z.string().min(1)).max(100_000) });
const reasonBody = z.object({ reason: z.string().max(500).optional() });
const correctBody = z.object({ keepZohoId: z.string().min(1, 'say which copy to keep') });
const closeBody = z.object({ reason: z.string().min(1, 'say what you checked in Zoho').max(1000) });
const takeOverBody = z.object({ reason: z.string().trim().min(1, 'say why you take the batch over').max(500) });
const closeRestBody = z.object({ reason: z.string().trim().min(1, 'say why the documents not posted are not to be posted').max(500) });
const reopenRestBody = z.object({ reason: z.string().trim().min(1, 'say why the documents closed without posting are reopened').max(500) });

/** A finished batch is not started or resumed again: say how it ended, as the pane says it (nothing is written to the audit). */
async function refuseFinished(ctx: AppContext, b: Batch): Promise<void> {
  if (!['done', 'needs_review', 'failed', 'cancelled'].includes(b.state)) return;
  const p = await batchProgress(ctx.store, b.id);
  throw conflict('already-finished', `This batch finished at ${b.updatedAt} and is not sent again. ${sentBatchSentence(b.kind, b.state, p.counts, 'told', p)}`);
}

export default async function routes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const anyRole = app.requireRole('preparer', 'approver', 'admin');
  const operator = app.requireRole('preparer', 'approver');

  // The posting service goes on with interrupted batches from start-up, and stops with the server.
  app.addHook('onReady', async () => {
    await startPostingService(ctx).catch((e) => ctx.log.warn({ err: e }, 'posting: the service could not start'));
  });
  app.addHook('onClose', async () => {
    await stopPostingService(ctx).catch((e) => ctx.log.warn({ err: e }, 'posting: the service did not stop cleanly'));
  });

  async function postingBatch(id: string) {
    const b = await requireBatch(ctx.store, id);
    if (b.job !== POSTING_JOB) throw conflict('not-a-posting-batch', `Batch ${id} is not a settlements posting batch.`);
    return b;
  }

  app.post('/api/posting/batches', { preHandler: app.requireRole('preparer') }, async (req, reply) => {
    const body = parseWith(prepareBody, req.body, 'posting batch');
    const { leftOut, heldElsewhere, closedLeftOut, ...batch } = await preparePostingBatch(ctx, {
      connectionId: body.connectionId,
      documents: body.documents as unknown as SettlementDocument[],
      preparedBy: currentUser(req),
      title: body.title,
      rest: body.rest,
    });
    return reply.code(201).send({ batch, leftOut, heldElsewhere, closedLeftOut });
  });

  app.post<{ Params: { id: string } }>('/api/posting/batches/:id/start', { preHandler: operator }, async (req, reply) => {
    const b = await postingBatch(req.params.id);
    // Refuse at once (with the reason) rather than in the background. A correction that failed
    // part-way runs again under its approval.
    const me = currentUser(req);
    const again = b.kind === CORRECTION_KIND && b.state === 'failed' && (await currentApproval(ctx.store, b.id));
    if (!again) await refuseFinished(ctx, b);
    if (b.state !== 'sending' && !again) await assertApprovedForSending(ctx.store, b.id, { audit: ctx.audit, actor: me.id });
    await ctx.audit.append({ actor: me.id, action: 'posting.requested', subjectType: 'batch', subjectId: b.id });
    void startPosting(ctx, b.id, me.id, me.name);
    return reply.code(202).send({ batchId: b.id, started: true });
  });

  app.post<{ Params: { id: string } }>('/api/posting/batches/:id/pause', { preHandler: operator }, async (req) => {
    const b = await postingBatch(req.params.id);
    const me = currentUser(req);
    const reason = parseWith(reasonBody, req.body, 'pause').reason;
    // The sentence names the person; the audit records the identity.
    await requestPause(ctx.store, b.id, reason ? `Paused by ${me.name}: ${reason}` : `Paused by ${me.name}`);
    await ctx.audit.append({ actor: me.id, action: 'posting.pause', subjectType: 'batch', subjectId: b.id });
    return batchProgress(ctx.store, b.id);
  });

  app.post<{ Params: { id: string } }>('/api/posting/batches/:id/resume', { preHandler: operator }, async (req) => {
    const b = await postingBatch(req.params.id);
    await refuseFinished(ctx, b);
    const user = currentUser(req).id;
    await requestResume(ctx.store, b.id);
    await ctx.audit.append({ actor: user, action: 'posting.resume', subjectType: 'batch', subjectId: b.id });
    if (b.state === 'sending' || b.state === 'approved') void startPosting(ctx, b.id, user);
    return batchProgress(ctx.store, b.id);
  });

  app.post<{ Params: { id: string } }>('/api/posting/batches/:id/cancel', { preHandler: operator }, async (req) => {
    const b = await postingBatch(req.params.id);
    const me = currentUser(req);
    const reason = parseWith(reasonBody, req.body, 'cancel').reason;
    await requestCancel(ctx.store, b.id, reason ? `Cancelled by ${me.name}: ${reason}` : `Cancelled by ${me.name}`);
    await ctx.audit.append({ actor: me.id, action: 'posting.cancel', subjectType: 'batch', subjectId: b.id });
    // Not running anywhere: settle the batch now so it shows as cancelled.
    if (!isRunning(ctx, b.id)) void startPosting(ctx, b.id, me.id);
    return batchProgress(ctx.store, b.id);
  });

  app.get<{ Params: { id: string } }>('/api/posting/batches/:id/progress', { preHandler: anyRole }, async (req) => {
    const b = await postingBatch(req.params.id);
    const p = await batchProgress(ctx.store, b.id);
    // Running: here, or a live worker elsewhere (another instance) holds some of its documents.
    return { ...p, running: isRunning(ctx, b.id) || p.leases.held > p.leases.heldByStale, last: lastOutcome(ctx, b.id) ?? null };
  });

  // Documents held by a worker that has been silent for longer than its lease time (a replaced host,
  // a host whose clock runs ahead) are taken over by an approver, with the reason in the audit. A
  // write that worker had in flight is still looked up before anything is sent again.
  app.post<{ Params: { id: string } }>('/api/posting/batches/:id/take-over', { preHandler: app.requireRole('approver') }, async (req) => {
    const b = await postingBatch(req.params.id);
    await refuseFinished(ctx, b);
    const reason = parseWith(takeOverBody, req.body, 'take over').reason;
    const user = currentUser(req).id;
    const now = new Date().toISOString();
    const held = await ctx.store.query<{ lease_owner: string }>(
      "SELECT DISTINCT lease_owner FROM batch_items WHERE batch_id = $1 AND state IN ('pending', 'sending') AND lease_owner IS NOT NULL AND lease_until > $2 AND lease_owner <> $3",
      [b.id, now, processWorker(ctx).id],
    );
    const seen = await seenWorkers(ctx.store, held.map((h) => h.lease_owner));
    const alive = held.map((h) => seen.get(h.lease_owner)).filter((w) => w && !w.gone);
    if (alive.length) {
      const w = alive[0]!;
      const free = new Date(Date.parse(w.heartbeatAt) + w.leaseMs).toISOString();
      throw conflict('worker-alive', `Worker ${w.id} was seen at ${w.heartbeatAt}; its documents can be taken over once it has been silent for its lease time (${Math.round(w.leaseMs / 1000)} s), at ${free}.`);
    }
    const owners = held.map((h) => h.lease_owner);
    if (owners.length) {
      await ctx.store.exec(
        `UPDATE batch_items SET lease_owner = NULL, lease_until = NULL WHERE batch_id = $1 AND state IN ('pending', 'sending') AND lease_owner IN (${placeholders(owners.length, 2)})`,
        [b.id, ...owners],
      );
    }
    await ctx.audit.append({ actor: user, action: 'posting.taken-over', subjectType: 'batch', subjectId: b.id, details: { reason, from: owners, worker: processWorker(ctx).id } });
    if (b.state === 'sending' || b.state === 'approved') void startPosting(ctx, b.id, user);
    return { ...(await batchProgress(ctx.store, b.id)), leases: await leaseView(ctx.store, b.id) };
  });

  // The rest of a failed or cancelled posting closed without posting, with the reason (in the audit
  // too): nothing is sent to Zoho, and the batch no longer asks for a batch of the rest.
  app.post<{ Params: { id: string } }>('/api/posting/batches/:id/close-rest', { preHandler: operator }, async (req) => {
    const b = await postingBatch(req.params.id);
    const { reason } = parseWith(closeRestBody, req.body, 'close the rest');
    const me = currentUser(req);
    const closed = await closeRest(ctx, { batchId: b.id, user: { id: me.id, name: me.name }, reason });
    return { closed, progress: await batchProgress(ctx.store, b.id) };
  });

  // A close made by mistake undone, with the reason (the audit keeps the close's too): the documents
  // are left again, for a batch of the rest. Whoever may close may reopen (the same rule).
  app.post<{ Params: { id: string } }>('/api/posting/batches/:id/reopen-rest', { preHandler: operator }, async (req) => {
    const b = await postingBatch(req.params.id);
    const { reason } = parseWith(reopenRestBody, req.body, 'reopen the closed rest');
    const me = currentUser(req);
    const reopened = await reopenRest(ctx, { batchId: b.id, user: { id: me.id, name: me.name }, reason });
    return { reopened, progress: await batchProgress(ctx.store, b.id) };
  });

  // The rest's unsure documents (sent, Zoho did not confirm) looked up in Zoho: found ones recorded as
  // posted, the others failed — then closable, or taken by a batch of the rest. Nothing is sent, so
  // no reason is asked; whoever may close the rest may look it up (the same rule).
  app.post<{ Params: { id: string } }>('/api/posting/batches/:id/look-up-rest', { preHandler: operator }, async (req) => {
    const b = await postingBatch(req.params.id);
    const me = currentUser(req);
    const lookedUp = await lookUpRest(ctx, { batchId: b.id, user: { id: me.id, name: me.name } });
    return { lookedUp, progress: await batchProgress(ctx.store, b.id) };
  });

  app.get<{ Params: { id: string } }>('/api/posting/batches/:id/items', { preHandler: anyRole }, async (req) => {
    const b = await postingBatch(req.params.id);
    return { items: await itemStatuses(ctx.store, b.id) };
  });

  // Where each document of a workbook is now (by key), for the sheets' STATUS: the batch of the rest
  // left out the ones posted before, and their rows still say where they are in Zoho.
  app.post('/api/posting/statuses', { preHandler: anyRole }, async (req) => {
    const { keys } = parseWith(statusesBody, req.body, 'document keys');
    return { statuses: await documentStatuses(ctx.store, POSTING_JOB, keys) };
  });

  // What the census found after a batch: each finding with its evidence (every copy Zoho holds,
  // their ids and amounts in cents, the id the batch recorded) and how it was resolved.
  app.get<{ Params: { id: string } }>('/api/posting/batches/:id/findings', { preHandler: anyRole }, async (req) => {
    const b = await postingBatch(req.params.id);
    return { findings: await listFindings(ctx.store, { batchId: b.id }) };
  });

  // Every finding in a state (default: open), across batches: for an inbox of what needs a person.
  app.get<{ Querystring: { state?: string } }>('/api/posting/findings', { preHandler: anyRole }, async (req) => {
    const state = parseWith(z.object({ state: z.enum(['open', 'correcting', 'resolved']).default('open') }), req.query ?? {}, 'findings filter').state;
    return { findings: await listFindings(ctx.store, { state }) };
  });

  // Keep one copy of a duplicate, remove the others: a correction batch another person approves
  // (POST /api/batches/:id/approve) before it is started like any posting batch.
  app.post<{ Params: { id: string } }>('/api/posting/findings/:id/correct', { preHandler: operator }, async (req, reply) => {
    const body = parseWith(correctBody, req.body, 'correction');
    const me = currentUser(req);
    const batch = await proposeCorrection(ctx, { findingId: req.params.id, keepZohoId: body.keepZohoId, user: { id: me.id, name: me.name } });
    return reply.code(201).send({ batch, finding: await requireFinding(ctx.store, req.params.id) });
  });

  // A finding a person checked in Zoho (a missing copy, another id or amount) is closed with the reason.
  app.post<{ Params: { id: string } }>('/api/posting/findings/:id/close', { preHandler: app.requireRole('approver') }, async (req) => {
    const body = parseWith(closeBody, req.body, 'close finding');
    const me = currentUser(req);
    return { finding: await closeFinding(ctx, { findingId: req.params.id, user: { id: me.id, name: me.name }, reason: body.reason }) };
  });
}
