/**
 * Tuition billing:
 * - POST /api/tuition/preview             preparer: partner tables or datasets + month (blank: the latest month the lines are
 *                                          dated in) → invoices, sheets, problems (no side effects; src/tuition/month.ts)
 * - POST /api/tuition/invoices            preparer: build again on the server and store the month's invoices as drafts
 *                                          (a changed invoice becomes a new version; 422 while a blocking problem remains)
 * - GET  /api/tuition/invoices?month=     every role: invoices with state, version, decision and delivery receipts
 * - GET  /api/tuition/invoices/:id        one invoice
 * - PUT  /api/tuition/invoices/:id/lines  preparer: edit the lines (new version; voids an approval)
 * - POST /api/tuition/invoices/:id/send   preparer: e-mails a signed, expiring, single-use approval link for the current
 *                                          version to the customer's configured approver; answers the masked address,
 *                                          never the link
 * - POST /api/tuition/invoices/:id/deliver preparer or approver: deliver an approved invoice (retry after a failure)
 * - GET/PUT /api/tuition/customers        customers' approver, delivery and learner rules (PUT: admin; by file = the
 *                                          customer's delivery target with partner, folder and file-name pattern); setting
 *                                          one delivers the customer's approved invoices that waited for it
 * - GET/POST /tuition/approve/:token      public: the customer's approval page (the signed link is the credential)
 * An approval starts the delivery at once; its result shows on the invoice (delivered, or the delivery error).
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../../context';
import { AppError } from '../../errors';
import { currentUser, parseWith } from '../../http';
import { listReceipts } from '../../delivery/service';
import { countBlocking, isIsoMonth, type Cell, type Problem, type Table } from '../../../src/kernel';
import { customerKey, editedInvoice, EXPENSE_TYPES, invoiceDocument, LAYOUT_FIELDS } from '../../../src/tuition';
import { buildTuitionMonth, expenseSheets, tablesFeed, tuitionMonthView } from '../../../src/tuition/month';
import { datasetIdSchema, readDatasetTables } from '../../datasets';
import {
  getCustomerSettings,
  learnerRules,
  listCustomerSettings,
  listInvoices,
  putCustomerSettings,
  requireInvoice,
  reviseInvoice,
  saveInvoices,
  type StoredInvoice,
  type TuitionDeps,
} from './invoices';
import { checkLink, decideByLink, latestRequests, sendForApproval } from './approval';
import { deliverInvoice, pendingDeliveries, TUITION_DELIVERY } from './delivery';
import { createMailer } from '../../mail';
import { approvalUser } from '../../auth';
import { approvalPage, decisionPage, refusalPage } from './page';
import { tuitionDelivery } from './delivery-target';
import { activeDemoTarget } from '../../dev/demo-ftp-target';
import { registerDemoPartner } from '../../dev/demo-partner';
import { seedDemoCustomers } from './demo';

const cell = z.union([z.string(), z.number(), z.boolean(), z.null()]);
const tableSchema = z.object({
  name: z.string().min(1).max(200),
  header: z.array(z.string()),
  rows: z.array(z.array(cell)).max(1_000_000),
  firstRowNumber: z.number().int().positive().optional(),
});
const buildBody = z
  .object({
    /** Blank or absent: the latest month the lines are dated in. */
    month: z.union([z.literal(''), z.string().refine(isIsoMonth, 'must be YYYY-MM')]).optional(),
    tables: z.array(tableSchema).max(50).optional(),
    datasets: z.array(datasetIdSchema).max(50).optional(),
    partner: z.string().trim().max(100).optional(),
  })
  .refine((b) => (b.tables?.length ?? 0) + (b.datasets?.length ?? 0) > 0, 'give tables or datasets');

const linesBody = z.object({
  expectedVersion: z.number().int().positive(),
  lines: z
    .array(
      z.object({
        user: z.string().trim().min(1).max(300),
        expenseType: z.enum(EXPENSE_TYPES),
        cents: z.number().int().safe(),
        items: z.number().int().positive().optional(),
        references: z.array(z.string().max(300)).max(10_000).optional(),
      }),
    )
    .min(1)
    .max(10_000),
});

const customerBody = z.object({
  name: z.string().trim().min(1).max(200),
  approverEmail: z.string().trim().max(300).optional(),
  delivery: z
    .discriminatedUnion('method', [
      z.object({ method: z.literal('none') }),
      z.object({ method: z.literal('partner'), partnerId: z.string().min(1).max(100), folder: z.string().max(500).optional(), fileNamePattern: z.string().max(200).optional() }),
      z.object({
        method: z.literal('zoho'),
        connectionId: z.string().min(1).max(100),
        zohoCustomerId: z.string().regex(/^\d{1,30}$/, 'Zoho customer id (digits, as text)'),
        itemId: z.string().regex(/^\d{1,30}$/, 'Zoho item id (digits, as text)'),
      }),
    ])
    .optional(),
  layout: z
    .object({
      columns: z.array(z.object({ header: z.string().min(1).max(100), field: z.enum(LAYOUT_FIELDS) })).min(1).max(30),
      delimiter: z.enum([',', ';', '\t', '|']).optional(),
      lineEnding: z.enum(['\r\n', '\n']).optional(),
      expenseWords: z.record(z.enum(EXPENSE_TYPES), z.string().max(100)).optional(),
    })
    .nullable()
    .optional(),
  /** How the customer's learners are matched (src/tuition/learners.ts); replaces the stored rules when given. */
  learners: z
    .object({
      aliases: z
        .record(z.string().trim().min(1).max(300), z.string().trim().min(1).max(300))
        .refine((a) => Object.keys(a).length <= 5000, 'at most 5000 aliases')
        .optional(),
      localPart: z.boolean().optional(),
    })
    .optional(),
});

const decisionBody = z.object({
  decision: z.enum(['approved', 'denied']),
  shownHash: z.string().regex(/^[0-9a-f]{64}$/),
  reason: z.string().max(2000).optional(),
});

/** A dataset's tables through the datasets service; a whole workbook's sheets that hold expense lines. */
async function datasetTables(ctx: AppContext, id: string): Promise<{ tables: Table[]; problems: Problem[] }> {
  const read = await readDatasetTables(ctx.datasets, id);
  if (!/\.xlsx$/i.test(id)) return read;
  const sheets = expenseSheets(id, read.tables);
  return { tables: sheets.tables, problems: [...read.problems, ...sheets.problems] };
}

async function buildFrom(ctx: AppContext, body: z.infer<typeof buildBody>) {
  const tables: Table[] = (body.tables ?? []).map((t) => ({ ...t, rows: t.rows as Cell[][] }));
  const problems: Problem[] = [];
  for (const id of body.datasets ?? []) {
    const r = await datasetTables(ctx, id);
    tables.push(...r.tables);
    problems.push(...r.problems);
  }
  return buildTuitionMonth(tablesFeed(tables), { month: body.month, partner: body.partner, learners: await learnerRules(ctx.store) }, problems);
}

/** An invoice as the screens show it: where it goes, what left, and the latest approval request (address masked). */
async function invoiceView(ctx: AppContext, inv: StoredInvoice) {
  const settings = await getCustomerSettings(ctx.store, inv.customer);
  return {
    ...inv,
    request: (await latestRequests(ctx.store, [inv.id])).get(inv.id) ?? null,
    delivery: await tuitionDelivery(ctx.store, ctx.secrets, inv.customer, settings),
    receipts: inv.deliveryBatchId ? await listReceipts(ctx.store, { batchId: inv.deliveryBatchId }) : [],
  };
}

/** A forged link is not found; one the approval rule refuses is forbidden; any other is gone. */
const linkStatus = (reason: string) => (reason === 'tampered' ? 404 : reason === 'not-allowed' ? 403 : 410);

function html(reply: FastifyReply, status: number, body: string) {
  return reply.code(status).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(body);
}

export default async function routes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const deps: TuitionDeps = {
    store: ctx.store,
    audit: ctx.audit,
    secrets: ctx.secrets,
    masterKey: ctx.config.masterKey,
    publicOrigin: ctx.config.publicOrigin,
    ...(ctx.config.mail ? { mailer: createMailer(ctx.config.mail) } : {}),
  };
  const preparer = app.requireRole('preparer');
  const signedIn = app.requireRole('preparer', 'approver');

  // The approval page posts a plain HTML form (this scope only).
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 16_384 }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(String(body))));
  });

  const startDelivery = (id: string) => {
    void deliverInvoice(deps, id, TUITION_DELIVERY.id).catch((err: unknown) => {
      ctx.log.warn({ invoice: id, err: (err as Error).message }, 'tuition delivery after approval did not run');
    });
  };

  // After a restart: approved invoices whose delivery did not finish are delivered (or marked delivered).
  app.addHook('onReady', async () => {
    // `npm start`'s demo: its customers' approvers and the demo FTP target, where no admin set them.
    const demo = activeDemoTarget();
    if (demo) {
      try {
        const seeded = await seedDemoCustomers(deps, await registerDemoPartner(ctx, demo));
        if (seeded.length) ctx.log.info({ customers: seeded }, 'tuition: demo customers given the demo approver and delivery target');
      } catch (err) {
        ctx.log.warn({ err: (err as Error).message }, 'tuition: the demo customers could not be set up');
      }
    }
    try {
      for (const id of await pendingDeliveries(deps)) startDelivery(id);
    } catch (err) {
      ctx.log.warn({ err: (err as Error).message }, 'tuition: could not look for unfinished deliveries');
    }
  });

  app.post('/api/tuition/preview', { preHandler: preparer }, async (req) => {
    const body = parseWith(buildBody, req.body, 'tuition request');
    return tuitionMonthView(await buildFrom(ctx, body));
  });

  app.post('/api/tuition/invoices', { preHandler: preparer }, async (req, reply) => {
    const body = parseWith(buildBody, req.body, 'tuition request');
    const user = currentUser(req);
    const b = await buildFrom(ctx, body);
    if (b.blocked) {
      throw new AppError(422, 'blocking-problems', `The partner files have ${countBlocking(b.problems)} blocking problems; fix them before the invoices are stored.`, { problems: b.problems });
    }
    const saved = await saveInvoices(deps, b.invoices, approvalUser(user));
    reply.code(201);
    return { ...saved, problems: b.problems };
  });

  app.get('/api/tuition/invoices', { preHandler: signedIn }, async (req) => {
    const q = parseWith(z.object({ month: z.string().refine(isIsoMonth, 'must be YYYY-MM').optional() }), req.query, 'query');
    const list = await listInvoices(ctx.store, q);
    return { invoices: await Promise.all(list.map((i) => invoiceView(ctx, i))) };
  });

  app.get('/api/tuition/invoices/:id', { preHandler: signedIn }, async (req) => {
    const { id } = req.params as { id: string };
    return { invoice: await invoiceView(ctx, await requireInvoice(ctx.store, id)) };
  });

  app.put('/api/tuition/invoices/:id/lines', { preHandler: preparer }, async (req) => {
    const { id } = req.params as { id: string };
    const body = parseWith(linesBody, req.body, 'invoice edit');
    const cur = await requireInvoice(ctx.store, id);
    const doc = invoiceDocument(editedInvoice(cur.document, body.lines));
    return { invoice: await invoiceView(ctx, await reviseInvoice(deps, id, doc, approvalUser(currentUser(req)), body.expectedVersion)) };
  });

  app.post('/api/tuition/invoices/:id/send', { preHandler: preparer }, async (req) => {
    const { id } = req.params as { id: string };
    const body = parseWith(z.object({ validHours: z.number().int().min(1).max(24 * 60).optional() }), req.body, 'send request');
    const sent = await sendForApproval(deps, id, approvalUser(currentUser(req)), { validForMs: body.validHours ? body.validHours * 3_600_000 : undefined });
    // The token went to the approver's mailbox only: the preparer learns where (masked) and until when.
    return { sentTo: sent.sentTo, sentAt: sent.sentAt, expiresAt: sent.expiresAt, invoice: await invoiceView(ctx, sent.invoice) };
  });

  app.post('/api/tuition/invoices/:id/deliver', { preHandler: signedIn }, async (req) => {
    const { id } = req.params as { id: string };
    const r = await deliverInvoice(deps, id, currentUser(req).id);
    return { invoice: await invoiceView(ctx, r.invoice), receipts: r.receipts };
  });

  app.get('/api/tuition/customers', { preHandler: signedIn }, async () => {
    const list = await listCustomerSettings(ctx.store);
    return { customers: await Promise.all(list.map(async (c) => ({ ...c, target: await tuitionDelivery(ctx.store, ctx.secrets, c.name, c) }))) };
  });

  app.put('/api/tuition/customers', { preHandler: app.requireRole('admin') }, async (req) => {
    const body = parseWith(customerBody, req.body, 'customer settings');
    const customer = await putCustomerSettings(deps, body, currentUser(req).id);
    // Approved invoices that waited for a delivery target go now.
    for (const id of await pendingDeliveries(deps, customerKey(customer.name))) startDelivery(id);
    return { customer: { ...customer, target: await tuitionDelivery(ctx.store, ctx.secrets, customer.name, customer) } };
  });

  // ---- the customer's page (public: the signed link is the credential) ----

  app.get('/tuition/approve/:token', { config: { public: true } }, async (req, reply) => {
    const { token } = req.params as { token: string };
    const check = await checkLink(deps, ctx.store, token);
    if (!check.ok) return html(reply, linkStatus(check.reason), refusalPage(check.reason, check.message));
    return html(reply, 200, approvalPage(check.invoice, token, check.expiresAt, check.approver.name));
  });

  app.post('/tuition/approve/:token', { config: { public: true } }, async (req, reply) => {
    const { token } = req.params as { token: string };
    const parsed = decisionBody.safeParse(req.body ?? {});
    if (!parsed.success) return html(reply, 400, refusalPage('bad-form', 'The form was not complete; go back, reload the page and decide again.'));
    const r = await decideByLink(deps, token, parsed.data);
    if (!r.ok) {
      if (r.reason === 'reason-missing' || r.reason === 'changed') {
        const check = await checkLink(deps, ctx.store, token);
        if (check.ok) return html(reply, 400, approvalPage(check.invoice, token, check.expiresAt, check.approver.name, r.message));
      }
      return html(reply, r.reason === 'reason-missing' || r.reason === 'changed' ? 400 : linkStatus(r.reason), refusalPage(r.reason, r.message));
    }
    let deliverable = false;
    if (r.invoice.state === 'approved') {
      const target = await tuitionDelivery(ctx.store, ctx.secrets, r.invoice.customer, await getCustomerSettings(ctx.store, r.invoice.customer));
      deliverable = target.method !== 'none';
      if (deliverable) startDelivery(r.invoice.id);
    }
    return html(reply, 200, decisionPage(r.invoice, deliverable));
  });
}
