/**
 * Batches for the approvals inbox and the job pages: the inbox across jobs (what waits for a
 * decision or for sending, with what the list shows and what the signed-in person may do), the
 * count that waits for her, one batch (items, approvals, whether it may be sent, her actions), its
 * content as it will leave (files' first rows and totals, Zoho documents' totals, the diff against
 * the previous version, the content hash), approve or reject the version and content reviewed, and
 * — for its preparers, before approval — withdraw it or remove items. Who may do what is decided by the
 * rules in src/ (src/approval/rule.ts, src/batches/lifecycle.ts), not by role checks here. Jobs
 * create and edit batches in their own routes with server/store/batches.ts.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { allowedBatchActions, BATCH_STATES } from '../../src/batches';
import { approvalUser } from '../auth';
import type { AppContext } from '../context';
import { currentUser, parseWith } from '../http';
import { describeContent } from '../store/batch-content';
import { batchDetail, decideBatch, listBatches, listBatchItems, removeBatchItems, withdrawBatch } from '../store/batches';
import { countWaitingFor, listInbox, voidNote } from '../store/inbox';

const listQuery = z.object({
  job: z.string().optional(),
  state: z.enum(BATCH_STATES).optional(),
  limit: z.string().regex(/^\d+$/).transform(Number).optional(),
});
const inboxQuery = z.object({ finished: z.string().regex(/^\d+$/).transform(Number).optional() });
const decisionBody = z.object({
  version: z.number().int().positive({ message: 'give the version number you reviewed' }),
  reason: z.string().max(2000).optional(),
  /** The content hash the reviewer's screen showed (GET /api/batches/:id/content). */
  contentHash: z.string().regex(/^[0-9a-f]{64}$/, 'give the content hash you reviewed').optional(),
});
const withdrawBody = z.object({
  version: z.number().int().positive().optional(),
  reason: z.string().max(2000).optional(),
});
const removeBody = z.object({
  version: z.number().int().positive({ message: 'give the version number you are changing' }),
  seqs: z.array(z.number().int().positive()).min(1, 'choose at least one item').max(10_000),
});

export default async function routes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const anyRole = app.requireRole('preparer', 'approver', 'admin');
  app.get('/api/batches', { preHandler: anyRole }, async (req) => ({
    batches: await listBatches(ctx.store, parseWith(listQuery, req.query, 'batch query')),
  }));
  app.get('/api/batches/inbox', { preHandler: anyRole }, async (req) => {
    const q = parseWith(inboxQuery, req.query, 'inbox query');
    return listInbox(ctx.store, approvalUser(currentUser(req)), { finishedLimit: Math.min(q.finished ?? 30, 200) });
  });
  app.get('/api/batches/inbox/count', { preHandler: anyRole }, async (req) => ({ waitingForYou: await countWaitingFor(ctx.store, approvalUser(currentUser(req))) }));
  app.get<{ Params: { id: string } }>('/api/batches/:id/content', { preHandler: anyRole }, async (req) => {
    const { batch, approval, approvals } = await batchDetail(ctx.store, req.params.id);
    const content = await describeContent(ctx.store, batch.id);
    // A voided approval still tells the approver what was approved before the content changed.
    const approvedHash = (approval ?? approvals.filter((a) => a.voided && a.batchVersion === batch.version).at(-1))?.contentHash ?? null;
    const approvalVoid = voidNote(batch, approvals.at(-1));
    return { batch, content, approvedHash, matchesApproval: approvedHash === null ? null : approvedHash === content.contentHash, approvalVoid };
  });
  app.get<{ Params: { id: string } }>('/api/batches/:id', { preHandler: anyRole }, async (req) => {
    const { batch, items, approvals, approval: valid, facts } = await batchDetail(ctx.store, req.params.id);
    return {
      batch,
      items,
      approvals,
      approvedForSending: batch.state === 'approved' && Boolean(valid),
      allowedActions: allowedBatchActions(facts, approvalUser(currentUser(req))),
    };
  });
  // Any signed-in user may ask; the approval rule answers (approver or admin role, and none of the batch prepared by her).
  for (const decision of ['approved', 'rejected'] as const) {
    const verb = decision === 'approved' ? 'approve' : 'reject';
    app.post<{ Params: { id: string } }>(`/api/batches/:id/${verb}`, async (req) => {
      const body = parseWith(decisionBody, req.body, verb);
      const user = currentUser(req);
      return ctx.store.transaction(async (tx) => {
        const result = await decideBatch(tx, { id: req.params.id, version: body.version, user: approvalUser(user), decision, reason: body.reason, reviewedHash: body.contentHash });
        await ctx.audit.append(
          {
            actor: user.id,
            action: `batch.${decision}`,
            subjectType: 'batch',
            subjectId: req.params.id,
            details: { version: body.version, reason: body.reason, name: user.name, roles: user.roles, contentHash: result.approval.contentHash },
          },
          tx,
        );
        return result;
      });
    });
  }
  app.post<{ Params: { id: string } }>('/api/batches/:id/withdraw', async (req) => {
    const body = parseWith(withdrawBody, req.body, 'withdrawal');
    const user = currentUser(req);
    return ctx.store.transaction(async (tx) => {
      const batch = await withdrawBatch(tx, { id: req.params.id, version: body.version, user: approvalUser(user) });
      await ctx.audit.append(
        { actor: user.id, action: 'batch.withdrawn', subjectType: 'batch', subjectId: batch.id, details: { version: batch.version, reason: body.reason, name: user.name } },
        tx,
      );
      return { batch };
    });
  });
  app.post<{ Params: { id: string } }>('/api/batches/:id/remove-items', async (req) => {
    const body = parseWith(removeBody, req.body, 'item removal');
    const user = currentUser(req);
    return ctx.store.transaction(async (tx) => {
      const batch = await removeBatchItems(tx, { id: req.params.id, version: body.version, seqs: body.seqs, user: approvalUser(user) });
      await ctx.audit.append(
        { actor: user.id, action: 'batch.items-removed', subjectType: 'batch', subjectId: batch.id, details: { fromVersion: body.version, version: batch.version, seqs: body.seqs, name: user.name } },
        tx,
      );
      return { batch, items: await listBatchItems(tx, batch.id) };
    });
  });
}
