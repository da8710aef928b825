/**
 * Posting settlement documents to Zoho for the task pane: prepare a batch (maker), start it after
 * a second person approved it (/api/batches/:id/approve), follow its progress by polling, pause,
 * resume and cancel, and read each document's status for the sheets' STATUS column.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { SettlementDocument } from '../../src/settlements/documents';
import type { AppContext } from '../context';
import { conflict } from '../errors';
import { currentUser, parseWith } from '../http';
import { requestCancel, requestPause, requestResume } from '../posting/control';
import { preparePostingBatch } from '../posting/prepare';
import { batchProgress, itemStatuses } from '../posting/progress';
import { closeFinding, CORRECTION_KIND, listFindings, proposeCorrection, requireFinding } from '../posting/review';
import { isRunning, lastOutcome, startPosting } from '../posting/runner';
import { POSTING_JOB } from '../posting/worker';
import { assertApprovedForSending, currentApproval, requireBatch } from '../store/batches';

const prepareBody = z.object({
  connectionId: z.string().min(1, 'choose a Zoho connection'),
  title: z.string().max(300).optional(),
  // The documents are checked by preparePostingBatch (and again by Zoho's schema in the sandbox).
  documents: z.array(z.record(z.unknown())).min(1, 'there is nothing to post').max(100_000),
});
const reasonBody = z.object({ reason: z.string().max(500).optional() });
const correctBody = z.object({ keepZohoId: z.string().min(1, 'say which copy to keep') });
const closeBody = z.object({ reason: z.string().min(1, 'say what you checked in Zoho').max(1000) });

export default async function routes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const anyRole = app.requireRole('preparer', 'approver', 'admin');
  const operator = app.requireRole('preparer', 'approver');

  async function postingBatch(id: string) {
    const b = await requireBatch(ctx.store, id);
    if (b.job !== POSTING_JOB) throw conflict('not-a-posting-batch', `Batch ${id} is not a settlements posting batch.`);
    return b;
  }

  app.post('/api/posting/batches', { preHandler: app.requireRole('preparer') }, async (req, reply) => {
    const body = parseWith(prepareBody, req.body, 'posting batch');
    const batch = await preparePostingBatch(ctx, {
      connectionId: body.connectionId,
      documents: body.documents as unknown as SettlementDocument[],
      preparedBy: currentUser(req).id,
      title: body.title,
    });
    return reply.code(201).send({ batch });
  });

  app.post<{ Params: { id: string } }>('/api/posting/batches/:id/start', { preHandler: operator }, async (req, reply) => {
    const b = await postingBatch(req.params.id);
    // Refuse at once (with the reason) rather than in the background. A correction that failed
    // part-way runs again under its approval.
    const again = b.kind === CORRECTION_KIND && b.state === 'failed' && (await currentApproval(ctx.store, b.id));
    if (b.state !== 'sending' && !again) await assertApprovedForSending(ctx.store, b.id);
    const actor = currentUser(req).id;
    await ctx.audit.append({ actor, action: 'posting.requested', subjectType: 'batch', subjectId: b.id });
    void startPosting(ctx, b.id, actor);
    return reply.code(202).send({ batchId: b.id, started: true });
  });

  app.post<{ Params: { id: string } }>('/api/posting/batches/:id/pause', { preHandler: operator }, async (req) => {
    const b = await postingBatch(req.params.id);
    const user = currentUser(req).id;
    const reason = parseWith(reasonBody, req.body, 'pause').reason;
    await requestPause(ctx.store, b.id, reason ? `Paused by ${user}: ${reason}` : `Paused by ${user}`);
    await ctx.audit.append({ actor: user, action: 'posting.pause', subjectType: 'batch', subjectId: b.id });
    return batchProgress(ctx.store, b.id);
  });

  app.post<{ Params: { id: string } }>('/api/posting/batches/:id/resume', { preHandler: operator }, async (req) => {
    const b = await postingBatch(req.params.id);
    const user = currentUser(req).id;
    await requestResume(ctx.store, b.id);
    await ctx.audit.append({ actor: user, action: 'posting.resume', subjectType: 'batch', subjectId: b.id });
    if (b.state === 'sending' || b.state === 'approved') void startPosting(ctx, b.id, user);
    return batchProgress(ctx.store, b.id);
  });

  app.post<{ Params: { id: string } }>('/api/posting/batches/:id/cancel', { preHandler: operator }, async (req) => {
    const b = await postingBatch(req.params.id);
    const user = currentUser(req).id;
    const reason = parseWith(reasonBody, req.body, 'cancel').reason;
    await requestCancel(ctx.store, b.id, reason ? `Cancelled by ${user}: ${reason}` : `Cancelled by ${user}`);
    await ctx.audit.append({ actor: user, action: 'posting.cancel', subjectType: 'batch', subjectId: b.id });
    // Not running anywhere: settle the batch now so it shows as cancelled.
    if (!isRunning(ctx, b.id)) void startPosting(ctx, b.id, user);
    return batchProgress(ctx.store, b.id);
  });

  app.get<{ Params: { id: string } }>('/api/posting/batches/:id/progress', { preHandler: anyRole }, async (req) => {
    const b = await postingBatch(req.params.id);
    return { ...(await batchProgress(ctx.store, b.id)), running: isRunning(ctx, b.id), last: lastOutcome(ctx, b.id) ?? null };
  });

  app.get<{ Params: { id: string } }>('/api/posting/batches/:id/items', { preHandler: anyRole }, async (req) => {
    const b = await postingBatch(req.params.id);
    return { items: await itemStatuses(ctx.store, b.id) };
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
    const batch = await proposeCorrection(ctx, { findingId: req.params.id, keepZohoId: body.keepZohoId, user: currentUser(req).id });
    return reply.code(201).send({ batch, finding: await requireFinding(ctx.store, req.params.id) });
  });

  // A finding a person checked in Zoho (a missing copy, another id or amount) is closed with the reason.
  app.post<{ Params: { id: string } }>('/api/posting/findings/:id/close', { preHandler: app.requireRole('approver') }, async (req) => {
    const body = parseWith(closeBody, req.body, 'close finding');
    return { finding: await closeFinding(ctx, { findingId: req.params.id, user: currentUser(req).id, reason: body.reason }) };
  });
}
