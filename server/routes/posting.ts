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
import { isRunning, lastOutcome, startPosting } from '../posting/runner';
import { POSTING_JOB } from '../posting/worker';
import { assertApprovedForSending, requireBatch } from '../store/batches';

const prepareBody = z.object({
  connectionId: z.string().min(1, 'choose a Zoho connection'),
  title: z.string().max(300).optional(),
  // The documents are checked by preparePostingBatch (and again by Zoho's schema in the sandbox).
  documents: z.array(z.record(z.unknown())).min(1, 'there is nothing to post').max(100_000),
});
const reasonBody = z.object({ reason: z.string().max(500).optional() });

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
      preparedBy: currentUser(req),
      title: body.title,
    });
    return reply.code(201).send({ batch });
  });

  app.post<{ Params: { id: string } }>('/api/posting/batches/:id/start', { preHandler: operator }, async (req, reply) => {
    const b = await postingBatch(req.params.id);
    // Refuse at once (with the reason) rather than in the background.
    if (b.state !== 'sending') await assertApprovedForSending(ctx.store, b.id);
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
}
