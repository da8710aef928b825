/**
 * File delivery to partners (issue 6):
 * - GET    /api/partners                      every role (to choose where files go); never any secret
 * - POST   /api/partners                      admin: create (password / privateKey are write-only)
 * - PATCH  /api/partners/:id                  admin: change settings or credentials
 * - POST   /api/partners/:id/probe            admin: the fingerprint the server presents now, and whether it matches the pin
 * - DELETE /api/partners/:id                  admin
 * - POST   /api/deliveries                    preparer: prepare a batch of files for approval (text, base64, or fromOutbox:
 *                                            a file a job exported to <data dir>/<job>/outbox, e.g. VRET's SPURSH)
 * - GET    /api/deliveries?job=               batches with items, progress and receipts (Activity page)
 * - GET    /api/deliveries/receipts           the latest receipts
 * - GET    /api/deliveries/:id                one batch, with per-file progress while it is sending
 * - POST   /api/deliveries/:id/send           preparer or approver: send an approved batch (202; ?wait=true waits)
 * Approving is the shared POST /api/batches/:id/approve (maker-checker: not the preparer).
 * On start-up, batches left `sending` by a stopped server are resumed (reconciled against the remote first),
 * and the demo FTP target of `npm start`, when running, is registered as a partner.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../context';
import { AppError, badRequest, notFound, upstreamFailed } from '../errors';
import { currentUser, parseWith } from '../http';
import { assertApprovedForSending, requireBatch } from '../store/batches';
import { activeDemoTarget, DEMO_PARTNER_NAME, type DemoFtpTarget } from '../dev/demo-ftp-target';
import { probeServerFingerprint } from '../delivery/probe';
import { createPartner, deletePartner, listPartners, requirePartner, updatePartner } from '../delivery/partners';
import {
  deliverBatch,
  describeDelivery,
  DELIVERY_KIND,
  interruptedDeliveries,
  listDeliveries,
  listReceipts,
  prepareDelivery,
  type DeliveryDeps,
} from '../delivery/service';

const prepareBody = z.object({
  job: z.string().trim().min(1).max(40),
  files: z
    .array(
      z
        .object({
          fileName: z.string().trim().min(1).max(200),
          partnerId: z.string().min(1),
          text: z.string().optional(),
          base64: z.string().optional(),
          /** A file a job left in <data dir>/<job>/outbox (e.g. VRET's SPURSH export). */
          fromOutbox: z.boolean().optional(),
          label: z.string().max(40).optional(),
        })
        .refine((f) => [f.text !== undefined, f.base64 !== undefined, f.fromOutbox === true].filter(Boolean).length === 1, 'give the file as text, base64 or fromOutbox, one of them'),
    )
    .min(1)
    .max(100),
  note: z.string().max(500).optional(),
});

const listQuery = z.object({ job: z.string().optional(), limit: z.string().regex(/^\d+$/).transform(Number).optional() });

/** Checks what can be refused at once, so the page gets a 409 instead of a failure later. */
async function assertSendable(ctx: AppContext, id: string): Promise<void> {
  const b = await requireBatch(ctx.store, id);
  if (b.kind !== DELIVERY_KIND) throw badRequest('not-a-delivery', `Batch ${id} is not a file delivery.`);
  await assertApprovedForSending(ctx.store, id);
}

/** `npm start`'s demo FTP target as the partner "Demo FTP (loopback)" for every network (new password each start). */
async function registerDemoPartner(ctx: AppContext, demo: DemoFtpTarget): Promise<void> {
  const existing = (await listPartners(ctx.store, ctx.secrets)).find((p) => p.name === DEMO_PARTNER_NAME);
  const settings = { protocol: 'ftp' as const, host: demo.host, port: demo.port, folder: 'inbox', username: demo.username, password: demo.password };
  if (existing) await updatePartner(ctx.store, ctx.secrets, existing.id, settings);
  else await createPartner(ctx.store, ctx.secrets, { name: DEMO_PARTNER_NAME, ...settings, networks: ['VISA', 'MASTERCARD', 'AMEX', 'DISCOVER', 'SPURSH'] }, 'system');
}

export default async function routes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const deps: DeliveryDeps = { store: ctx.store, secrets: ctx.secrets, audit: ctx.audit };
  const anyRole = app.requireRole('preparer', 'approver', 'admin');
  const admin = app.requireRole('admin');

  const sendInBackground = (id: string, actor: string) => {
    deliverBatch(deps, id, { actor }).then(
      (r) => ctx.log.info({ batch: id, state: r.batch.state }, 'delivery finished'),
      (err) => ctx.log.error({ batch: id, err: (err as Error).message }, 'delivery stopped'),
    );
  };

  app.addHook('onReady', async () => {
    const demo = activeDemoTarget();
    if (demo) await registerDemoPartner(ctx, demo).catch((err) => ctx.log.warn({ err: (err as Error).message }, 'the demo FTP target could not be registered as a partner'));
    for (const b of await interruptedDeliveries(ctx.store)) {
      ctx.log.warn({ batch: b.id }, 'resuming a delivery interrupted by a stop');
      sendInBackground(b.id, 'system:resume');
    }
  });

  app.get('/api/partners', { preHandler: anyRole }, async () => ({ partners: await listPartners(ctx.store, ctx.secrets) }));

  app.post('/api/partners', { preHandler: admin }, async (req, reply) => {
    const user = currentUser(req);
    const p = await createPartner(ctx.store, ctx.secrets, req.body, user.id);
    await ctx.audit.append({ actor: user.id, action: 'partner.created', subjectType: 'partner', subjectId: p.id, details: { name: p.name, protocol: p.protocol, host: p.host, port: p.port, folder: p.folder } });
    reply.code(201);
    return { partner: p };
  });

  app.patch<{ Params: { id: string } }>('/api/partners/:id', { preHandler: admin }, async (req) => {
    const user = currentUser(req);
    const p = await updatePartner(ctx.store, ctx.secrets, req.params.id, req.body);
    const changed = Object.keys((req.body as object) ?? {}).filter((k) => !['password', 'privateKey', 'passphrase'].includes(k));
    const credentials = ['password', 'privateKey', 'passphrase'].some((k) => k in ((req.body as object) ?? {}));
    await ctx.audit.append({ actor: user.id, action: 'partner.updated', subjectType: 'partner', subjectId: p.id, details: { changed, credentialsChanged: credentials, version: p.version } });
    return { partner: p };
  });

  // The key or certificate the server presents now, next to the pinned one (an admin checks it with the partner).
  app.post<{ Params: { id: string } }>('/api/partners/:id/probe', { preHandler: admin }, async (req) => {
    const user = currentUser(req);
    const p = await requirePartner(ctx.store, ctx.secrets, req.params.id);
    let presented: string;
    try {
      presented = await probeServerFingerprint(p);
    } catch (e) {
      throw upstreamFailed('partner-unreachable', `The server of ${p.name} did not show its key: it could not be reached or refused the connection. Check the host and port, then try again; the server log has the detail.`, e);
    }
    const pinned = p.protocol === 'sftp' ? p.hostFingerprint : p.protocol === 'ftps' ? p.tlsFingerprint : null;
    const same = (a: string, b: string) => a.replace(/^sha256:/i, '').replace(/:/g, '').toUpperCase() === b.replace(/^sha256:/i, '').replace(/:/g, '').toUpperCase();
    const matches = p.protocol === 'sftp' ? presented === pinned : p.protocol === 'ftps' ? Boolean(pinned && same(presented, pinned)) : null;
    await ctx.audit.append({ actor: user.id, action: 'partner.probed', subjectType: 'partner', subjectId: p.id, details: { presented, pinned, matches } });
    return { presented, pinned, matches };
  });

  app.delete<{ Params: { id: string } }>('/api/partners/:id', { preHandler: admin }, async (req) => {
    const user = currentUser(req);
    await deletePartner(ctx.store, ctx.secrets, req.params.id);
    await ctx.audit.append({ actor: user.id, action: 'partner.deleted', subjectType: 'partner', subjectId: req.params.id });
    return { deleted: req.params.id };
  });

  app.post('/api/deliveries', { preHandler: app.requireRole('preparer') }, async (req, reply) => {
    const body = parseWith(prepareBody, req.body, 'delivery');
    const user = currentUser(req);
    for (const f of body.files) await requirePartner(ctx.store, ctx.secrets, f.partnerId);
    const files = [];
    for (const f of body.files) {
      let content: Buffer;
      if (f.fromOutbox) {
        if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(f.fileName) || !/^[a-z0-9-]+$/.test(body.job))
          throw badRequest('bad-file-name', `"${f.fileName}" is not a file name of the ${body.job} outbox.`);
        try {
          content = await fs.readFile(path.join(ctx.config.dataDir, body.job, 'outbox', f.fileName));
        } catch {
          throw notFound('not-in-outbox', `There is no ${f.fileName} in the ${body.job} outbox; export it again.`);
        }
      } else content = f.text !== undefined ? Buffer.from(f.text, 'utf8') : Buffer.from(f.base64!, 'base64');
      files.push({ fileName: f.fileName, partnerId: f.partnerId, label: f.label, content });
    }
    const batch = await prepareDelivery(deps, {
      job: body.job,
      preparedBy: user,
      files,
      payload: { note: body.note },
    });
    reply.code(201);
    return describeDelivery(ctx.store, batch.id);
  });

  app.get('/api/deliveries', { preHandler: anyRole }, async (req) => ({
    deliveries: await listDeliveries(ctx.store, parseWith(listQuery, req.query, 'delivery query')),
  }));

  app.get('/api/deliveries/receipts', { preHandler: anyRole }, async (req) => ({
    receipts: await listReceipts(ctx.store, { limit: parseWith(listQuery, req.query, 'receipt query').limit }),
  }));

  app.get<{ Params: { id: string } }>('/api/deliveries/:id', { preHandler: anyRole }, async (req) => describeDelivery(ctx.store, req.params.id));

  app.post<{ Params: { id: string }; Querystring: { wait?: string } }>(
    '/api/deliveries/:id/send',
    { preHandler: app.requireRole('preparer', 'approver') },
    async (req, reply) => {
      const user = currentUser(req);
      await assertSendable(ctx, req.params.id);
      if (req.query.wait === 'true') {
        await deliverBatch(deps, req.params.id, { actor: user.id });
        return describeDelivery(ctx.store, req.params.id);
      }
      sendInBackground(req.params.id, user.id);
      reply.code(202);
      return describeDelivery(ctx.store, req.params.id);
    },
  );
}
