/**
 * File delivery to partners:
 * - GET    /api/partners                      every role (to choose where files go); never any secret
 * - POST   /api/partners                      admin: create (password / privateKey are write-only)
 * - PATCH  /api/partners/:id                  admin: change settings or credentials
 * - POST   /api/partners/:id/probe            admin: the fingerprint the server presents now, and whether it matches the pin
 * - POST   /api/partners/probe                admin: the same for a server not saved yet ({protocol, host, port}), to pin it at creation
 * - POST   /api/partners/:id/test             admin: sign in with the stored credential (pinned handshake), write nothing
 * - DELETE /api/partners/:id                  admin (refused while a delivery target sends to it)
 * - POST   /api/deliveries                    preparer: prepare a batch of files for approval (text, base64, or fromOutbox:
 *                                            a file a job exported to <data dir>/<job>/outbox, e.g. VRET's SPURSH)
 * - GET    /api/deliveries?job=               batches with items, progress and receipts (Activity page)
 * - GET    /api/deliveries/receipts           the latest receipts
 * - GET    /api/deliveries/:id                one batch, with per-file progress while it is sending
 * - POST   /api/deliveries/:id/send           preparer or approver: send an approved batch (202; ?wait=true waits)
 * Approving is the shared POST /api/batches/:id/approve (maker-checker: not the preparer).
 * On start-up and every half lease after, batches left `sending` (by a stopped server, or being sent by another
 * instance) are joined: files are taken one at a time from the shared queue, a file left half-sent is reconciled
 * against the remote first. The demo FTP target of `npm start`, when running, is registered as a partner.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../context';
import { badRequest, conflict, notFound, upstreamFailed } from '../errors';
import { currentUser, parseWith } from '../http';
import { assertApprovedForSending, requireBatch } from '../store/batches';
import { activeDemoTarget } from '../dev/demo-ftp-target';
import { registerDemoPartner } from '../dev/demo-partner';
import { checkSignIn, probeServerFingerprint } from '../delivery/probe';
import { createPartner, deletePartner, listPartners, partnerCredential, partnerEndpoint, requirePartner, updatePartner } from '../delivery/partners';
import { targetsUsingPartner } from '../delivery/targets';
import { DEFAULT_TARGET_KEY, targetSubject, TARGETS_PAGE } from '../../src/delivery/targets';
import { PROTOCOLS, type Protocol } from '../delivery/types';
import { holdProcessWorker, letGoProcessWorker, processWorker } from '../queue/process';
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

const probeBody = z.object({
  protocol: z.enum(PROTOCOLS as [Protocol, ...Protocol[]]),
  host: z.string().trim().min(1).max(255).regex(/^[A-Za-z0-9.:_-]+$/, 'host name or IP address'),
  port: z.number().int().min(1).max(65535),
});

const listQuery = z.object({ job: z.string().optional(), limit: z.string().regex(/^\d+$/).transform(Number).optional() });

/** Checks what can be refused at once, so the page gets a 409 instead of a failure later. */
async function assertSendable(ctx: AppContext, id: string, actor: string): Promise<void> {
  const b = await requireBatch(ctx.store, id);
  if (b.kind !== DELIVERY_KIND) throw badRequest('not-a-delivery', `Batch ${id} is not a file delivery.`);
  await assertApprovedForSending(ctx.store, id, { audit: ctx.audit, actor });
}

export default async function routes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const deps: DeliveryDeps = { store: ctx.store, secrets: ctx.secrets, audit: ctx.audit };
  const anyRole = app.requireRole('preparer', 'approver', 'admin');
  const admin = app.requireRole('admin');

  // Runs of this process, so a look for interrupted batches does not start one twice and a close stops them.
  const runs = new Map<string, { stop: AbortController; done: Promise<unknown> }>();
  const sendInBackground = (id: string, actor: string) => {
    if (runs.has(id)) return;
    const stop = new AbortController();
    const done = deliverBatch(deps, id, { actor, worker: processWorker(ctx), signal: stop.signal })
      .then(
        (r) => ctx.log.info({ batch: id, state: r.batch.state }, 'delivery finished'),
        (err) => ctx.log.error({ batch: id, err: (err as Error).message }, 'delivery stopped'),
      )
      .finally(() => runs.delete(id));
    runs.set(id, { stop, done });
  };

  // Batches left `sending` — by a stop, a crash, or another instance that is sending them now — are
  // joined at start-up and looked for every half lease: every process takes files from the same queue.
  let timer: NodeJS.Timeout | undefined;
  app.addHook('onReady', async () => {
    const demo = activeDemoTarget();
    if (demo) await registerDemoPartner(ctx, demo).catch((err) => ctx.log.warn({ err: (err as Error).message }, 'the demo FTP target could not be registered as a partner'));
    await holdProcessWorker(ctx);
    const look = async (first: boolean) => {
      for (const b of await interruptedDeliveries(ctx.store)) {
        if (runs.has(b.id)) continue;
        if (first) ctx.log.warn({ batch: b.id }, 'resuming a delivery interrupted by a stop');
        sendInBackground(b.id, 'system:resume');
      }
    };
    await look(true);
    timer = setInterval(() => void look(false).catch((err) => ctx.log.warn({ err: (err as Error).message }, 'could not look for deliveries to resume')), Math.max(250, Math.min(10_000, ctx.config.postingLeaseMs / 2)));
    timer.unref();
  });
  app.addHook('onClose', async () => {
    if (timer) clearInterval(timer);
    for (const r of runs.values()) r.stop.abort();
    await Promise.race([Promise.all([...runs.values()].map((r) => r.done)), new Promise((r) => setTimeout(r, 5_000).unref())]);
    await letGoProcessWorker(ctx);
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

  // Before a partner is saved: what its server presents, so the admin pins it at creation.
  app.post('/api/partners/probe', { preHandler: admin }, async (req) => {
    const body = parseWith(probeBody, req.body, 'server to probe');
    try {
      return { presented: await probeServerFingerprint(body) };
    } catch (e) {
      throw upstreamFailed('partner-unreachable', `The server at ${body.host}:${body.port} did not show its key: it could not be reached or refused the connection. Check the host and port, then try again; the server log has the detail.`, e);
    }
  });

  app.post<{ Params: { id: string } }>('/api/partners/:id/test', { preHandler: admin }, async (req) => {
    const user = currentUser(req);
    const p = await requirePartner(ctx.store, ctx.secrets, req.params.id);
    const result = await checkSignIn(partnerEndpoint(p), () => partnerCredential(ctx.secrets, p));
    await ctx.audit.append({ actor: user.id, action: 'partner.tested', subjectType: 'partner', subjectId: p.id, details: { ok: result.ok, message: result.message, presented: result.presented } });
    return result;
  });

  app.delete<{ Params: { id: string } }>('/api/partners/:id', { preHandler: admin }, async (req) => {
    const user = currentUser(req);
    const p = await requirePartner(ctx.store, ctx.secrets, req.params.id);
    const used = await targetsUsingPartner(ctx.store, p.id);
    if (used.length) {
      throw conflict(
        'partner-in-use',
        `${p.name} receives ${used.map((t) => targetSubject(t.job, t.key === DEFAULT_TARGET_KEY ? t.key : t.label)).join(', ')}; choose another partner for them under ${TARGETS_PAGE} first.`,
      );
    }
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
      await assertSendable(ctx, req.params.id, user.id);
      if (req.query.wait === 'true') {
        await deliverBatch(deps, req.params.id, { actor: user.id, worker: processWorker(ctx) });
        return describeDelivery(ctx.store, req.params.id);
      }
      sendInBackground(req.params.id, user.id);
      reply.code(202);
      return describeDelivery(ctx.store, req.params.id);
    },
  );
}
