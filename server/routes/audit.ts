import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../context';
import { currentUser, parseWith } from '../http';
import { listRuns, recordRun, runInput } from '../runs';
import { withDisplayNames } from '../store/identities';

const listQuery = z.object({
  limit: z.string().regex(/^\d+$/).transform(Number).optional(),
  subjectType: z.string().optional(),
  subjectId: z.string().optional(),
  job: z.string().optional(),
});

/** Audit log and job runs: GET /api/audit, GET /api/audit/verify, GET /api/runs, POST /api/runs. */
export default async function routes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const anyRole = app.requireRole('preparer', 'approver', 'admin');
  app.get('/api/audit', { preHandler: anyRole }, async (req) => {
    const q = parseWith(listQuery, req.query, 'audit query');
    // The actor stays the identity key; actorName is the person's latest display name, for screens.
    return { entries: await withDisplayNames(ctx.store, await ctx.audit.recent(q), 'actor', 'actorName') };
  });
  app.get('/api/audit/verify', { preHandler: app.requireRole('admin', 'approver') }, async () => ctx.audit.verify());

  app.get('/api/runs', { preHandler: anyRole }, async (req) => {
    const q = parseWith(listQuery, req.query, 'runs query');
    return { runs: await withDisplayNames(ctx.store, await listRuns(ctx.store, { job: q.job, limit: q.limit }), 'userId', 'userName') };
  });
  app.post('/api/runs', { preHandler: app.requireRole('preparer') }, async (req, reply) => {
    const input = parseWith(runInput, req.body, 'run record');
    const user = currentUser(req);
    const run = await ctx.store.transaction(async (tx) => {
      const r = await recordRun(tx, input, user.id);
      await ctx.audit.append(
        {
          actor: user.id,
          action: 'run.recorded',
          subjectType: 'run',
          subjectId: r.id,
          details: { job: r.job, inputChecksum: r.inputChecksum, resultChecksum: r.resultChecksum, rowCounts: r.rowCounts, mode: r.mode },
        },
        tx,
      );
      return r;
    });
    return reply.code(201).send({ run });
  });
}
