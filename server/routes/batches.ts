/**
 * Batches for the Activity page and approvers: list, show (items, approvals, whether it may be
 * sent), approve or reject the version reviewed. Jobs create and edit batches in their own routes
 * with server/store/batches.ts.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../context';
import { currentUser, parseWith } from '../http';
import { currentApproval, decideBatch, listApprovals, listBatches, listBatchItems, requireBatch } from '../store/batches';

const listQuery = z.object({
  job: z.string().optional(),
  state: z.enum(['awaiting_approval', 'approved', 'rejected', 'sending', 'done', 'failed', 'cancelled']).optional(),
  limit: z.string().regex(/^\d+$/).transform(Number).optional(),
});
const decisionBody = z.object({
  version: z.number().int().positive({ message: 'give the version number you reviewed' }),
  reason: z.string().max(2000).optional(),
});

export default async function routes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const anyRole = app.requireRole('preparer', 'approver', 'admin');
  app.get('/api/batches', { preHandler: anyRole }, async (req) => ({
    batches: await listBatches(ctx.store, parseWith(listQuery, req.query, 'batch query')),
  }));
  app.get<{ Params: { id: string } }>('/api/batches/:id', { preHandler: anyRole }, async (req) => {
    const batch = await requireBatch(ctx.store, req.params.id);
    const [items, approvals, valid] = await Promise.all([
      listBatchItems(ctx.store, batch.id),
      listApprovals(ctx.store, batch.id),
      currentApproval(ctx.store, batch.id),
    ]);
    return { batch, items, approvals, approvedForSending: batch.state === 'approved' && Boolean(valid) };
  });
  for (const decision of ['approved', 'rejected'] as const) {
    const verb = decision === 'approved' ? 'approve' : 'reject';
    app.post<{ Params: { id: string } }>(`/api/batches/:id/${verb}`, { preHandler: app.requireRole('approver') }, async (req) => {
      const body = parseWith(decisionBody, req.body, verb);
      const user = currentUser(req);
      return ctx.store.transaction(async (tx) => {
        const result = await decideBatch(tx, { id: req.params.id, version: body.version, user: user.id, decision, reason: body.reason });
        await ctx.audit.append(
          { actor: user.id, action: `batch.${decision}`, subjectType: 'batch', subjectId: req.params.id, details: { version: body.version, reason: body.reason } },
          tx,
        );
        return result;
      });
    });
  }
}
