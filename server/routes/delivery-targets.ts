/**
 * Delivery targets for the Settings page (which partner receives each card network's chargeback
 * files, each tuition customer's invoices, the SPURSH files per ledger or for every ledger):
 * - GET    /api/delivery-targets                   every role: the targets set (no secret is part of one)
 * - GET    /api/delivery-targets/resolve?job=&value= every role: where files for that network/customer/ledger go now,
 *                                                   or the sentence saying none is set (the rule in src/delivery/targets.ts)
 * - PUT    /api/delivery-targets                   admin: set one {job, key, label?, partnerId, folder?, fileNamePattern?}
 * - DELETE /api/delivery-targets?job=&key=         admin: remove one
 * Every change is in the audit log with what it replaced.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { TARGET_JOBS, type TargetJob } from '../../src/delivery/targets';
import type { AppContext } from '../context';
import { currentUser, parseWith } from '../http';
import { deleteTarget, listTargets, putTarget, resolveTarget, type StoredTarget } from '../delivery/targets';

const job = z.enum(TARGET_JOBS as unknown as [TargetJob, ...TargetJob[]]);
const putBody = z
  .object({
    job,
    key: z.string().trim().min(1, 'say which network, customer or ledger').max(200),
    label: z.string().trim().max(200).optional(),
    partnerId: z.string().min(1, 'choose a partner').max(100),
    folder: z.string().max(500).optional(),
    fileNamePattern: z.string().max(200).optional(),
  })
  .strict();
const keyQuery = z.object({ job, key: z.string().trim().min(1).max(200) });
const resolveQuery = z.object({ job, value: z.string().trim().min(1).max(200) });

/** What the audit keeps of a target: where files go, not who last touched it. */
const auditView = (t: StoredTarget | undefined) => t && { partnerId: t.partnerId, partner: t.partnerName, folder: t.folder, fileNamePattern: t.fileNamePattern };

export default async function routes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const anyRole = app.requireRole('preparer', 'approver', 'admin');
  const admin = app.requireRole('admin');

  app.get('/api/delivery-targets', { preHandler: anyRole }, async () => ({ targets: await listTargets(ctx.store) }));

  app.get('/api/delivery-targets/resolve', { preHandler: anyRole }, async (req) => {
    const q = parseWith(resolveQuery, req.query, 'target question');
    return resolveTarget(ctx.store, ctx.secrets, q.job, q.value);
  });

  app.put('/api/delivery-targets', { preHandler: admin }, async (req) => {
    const body = parseWith(putBody, req.body, 'delivery target');
    const user = currentUser(req);
    return ctx.store.transaction(async (tx) => {
      const { target, previous } = await putTarget(tx, body, user.id);
      await ctx.audit.append(
        {
          actor: user.id,
          action: 'delivery-target.set',
          subjectType: 'delivery-target',
          subjectId: `${target.job}:${target.key}`,
          details: { job: target.job, key: target.key, label: target.label, ...auditView(target), version: target.version, previous: auditView(previous) ?? null },
        },
        tx,
      );
      return { target };
    });
  });

  app.delete('/api/delivery-targets', { preHandler: admin }, async (req) => {
    const q = parseWith(keyQuery, req.query, 'delivery target');
    const user = currentUser(req);
    return ctx.store.transaction(async (tx) => {
      const removed = await deleteTarget(tx, q.job, q.key);
      await ctx.audit.append(
        { actor: user.id, action: 'delivery-target.removed', subjectType: 'delivery-target', subjectId: `${removed.job}:${removed.key}`, details: { job: removed.job, key: removed.key, label: removed.label, previous: auditView(removed) } },
        tx,
      );
      return { removed };
    });
  });
}
