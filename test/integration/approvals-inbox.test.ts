/**
 * The approvals inbox and "approve what you see, send what was approved", through the API on SQLite
 * and PostgreSQL, with a real FTP target and the Zoho sandbox: one list across jobs with the rule's
 * answer per person and a badge counted by the same rule; the content an approver reviews (files'
 * first rows and totals, documents' totals, the diff after an edit); the approval bound to the
 * content hash, so an edited batch, a blob altered in the store or Zoho documents altered after
 * approval are refused at send time and the refusal is audited; the formula rule on every file
 * that leaves; withdraw and remove-items before approval.
 */
import fs from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../server/app';
import { startDemoFtpTarget, type DemoFtpTarget } from '../../server/dev/demo-ftp-target';
import type { RunningSandbox } from '../../server/dev/zoho-sandbox';
import { deliverBatch } from '../../server/delivery/service';
import { postBatch } from '../../server/posting/worker';
import type { Queryable } from '../../server/store';
import { assertApprovedForSending, editBatch, listApprovals, listBatchItems } from '../../server/store/batches';
import { listInbox } from '../../server/store/inbox';
import type { ZohoConnection } from '../../server/zoho/connections';
import { BACKENDS, openTestBackend, testConfig, type TestBackend } from './backends';
import { devId, user } from './people';
import { connectSandbox, makeDocuments, startSandbox } from './zoho-fixtures';

describe.each(BACKENDS)('approvals inbox and content hashes on %s', (backend) => {
  let t: TestBackend;
  let app: FastifyInstance;
  let ftp: DemoFtpTarget;
  let sb: RunningSandbox;
  let connection: ZohoConnection;
  let partnerId: string;
  const tokens: Record<string, string> = {};
  const as = (who: string) => ({ authorization: `Bearer ${tokens[who]}` });
  let n = 0;

  beforeAll(async () => {
    t = await openTestBackend(backend);
    ftp = await startDemoFtpTarget(path.join(t.dir, 'ftp'), { port: 0 });
    sb = await startSandbox();
    const config = testConfig(t);
    app = await buildApp(config, { store: t.store });
    await app.ready();
    const sign = app.ctx.auth.devIssuer!.sign;
    tokens.alice = await sign({ user: 'alice', roles: ['preparer'] });
    tokens.carol = await sign({ user: 'carol', roles: ['preparer'] });
    tokens.bob = await sign({ user: 'bob', roles: ['approver'] });
    tokens.root = await sign({ user: 'root', roles: ['admin'] });
    const p = await app.inject({
      method: 'POST',
      url: '/api/partners',
      headers: as('root'),
      payload: { name: 'Inbox FTP', protocol: 'ftp', host: '127.0.0.1', port: ftp.port, folder: 'inbox', username: ftp.username, password: ftp.password, networks: ['VISA', 'SPURSH'] },
    });
    expect(p.statusCode).toBe(201);
    partnerId = p.json().partner.id;
    connection = await connectSandbox(t.store, app.ctx.secrets, sb);
  });
  afterAll(async () => {
    await app?.close();
    await ftp?.close();
    await sb?.close();
    await t?.cleanup();
  });

  /** A delivery prepared through the API by `who`. */
  async function delivery(who: string, job: string, files: { name: string; text: string }[]): Promise<{ id: string; version: number }> {
    n++;
    const r = await app.inject({
      method: 'POST',
      url: '/api/deliveries',
      headers: as(who),
      payload: { job, files: files.map((f) => ({ fileName: f.name.replace('#', `${backend}_${n}`), partnerId, text: f.text })) },
    });
    expect(r.statusCode).toBe(201);
    return r.json().batch;
  }
  /** A Zoho posting batch prepared through the API by `who`: one settlement, two invoices, a payment, a journal. */
  async function posting(who: string) {
    n++;
    const documents = makeDocuments(sb.sandbox.state.seedIds(), { settlements: 1, invoicesPer: 2, prefix: `${backend.slice(0, 2).toUpperCase()}${n}` });
    const r = await app.inject({ method: 'POST', url: '/api/posting/batches', headers: as(who), payload: { connectionId: connection.id, documents, title: `test ${n}` } });
    expect(r.statusCode).toBe(201);
    return { batch: r.json().batch as { id: string; version: number }, documents };
  }
  const content = async (id: string, who = 'bob') => {
    const r = await app.inject({ method: 'GET', url: `/api/batches/${id}/content`, headers: as(who) });
    expect(r.statusCode).toBe(200);
    return r.json();
  };
  const approve = async (id: string, version: number, contentHash?: string) =>
    app.inject({ method: 'POST', url: `/api/batches/${id}/approve`, headers: as('bob'), payload: { version, ...(contentHash ? { contentHash } : {}) } });
  const inbox = async (who: string) => (await app.inject({ method: 'GET', url: '/api/batches/inbox', headers: as(who) })).json();
  const sent = (name: string) => fs.existsSync(path.join(ftp.dir, name));
  const auditOf = (id: string) => app.ctx.audit.recent({ subjectType: 'batch', subjectId: id, limit: 50 });

  const CHARGEBACKS = 'CASE_ID,NETWORK,AMOUNT,CURRENCY\r\nCB-1,VISA,10.50,USD\r\nCB-2,VISA,-0.25,USD\r\nCB-3,VISA,7.00,EUR\r\n';

  test('one list across jobs, newest first: an approver may decide all of them, their preparers none; the badge counts by the same rule', async () => {
    const cb = await delivery('alice', 'chargebacks', [{ name: 'VISA_#.csv', text: CHARGEBACKS }]);
    const zoho = await posting('alice');
    const spursh = await delivery('carol', 'vret', [{ name: 'SPURSH_#.csv', text: 'LEDGER,PERIOD,CURRENCY,FUNDING_AMOUNT\r\nUS,2024-11,USD,12.34\r\n' }]);

    const bob = await inbox('bob');
    const mine = [spursh.id, zoho.batch.id, cb.id];
    const listed = bob.entries.filter((e: { batch: { id: string } }) => mine.includes(e.batch.id));
    // every job, with who prepared it …
    expect(listed.map((e: { batch: { id: string; job: string; preparedByName: string } }) => [e.batch.id, e.batch.job, e.batch.preparedByName]).sort()).toEqual(
      [
        [spursh.id, 'vret', 'carol'],
        [zoho.batch.id, 'settlements', 'alice'],
        [cb.id, 'chargebacks', 'alice'],
      ].sort(),
    );
    // … newest first among the open ones
    const open = bob.entries.filter((e: { batch: { state: string } }) => ['awaiting_approval', 'approved', 'sending', 'failed'].includes(e.batch.state));
    const created = open.map((e: { batch: { createdAt: string } }) => e.batch.createdAt);
    expect(created).toEqual([...created].sort().reverse());
    const byId = (list: { batch: { id: string } }[], id: string) => list.find((e) => e.batch.id === id);
    expect(byId(bob.entries, cb.id)).toMatchObject({
      itemCount: 1,
      itemStates: { pending: 1, sending: 0, done: 0, failed: 0, needs_review: 0 },
      summary: { items: 1, files: 1, rows: 3, totals: [{ column: 'AMOUNT', currency: 'USD', cents: 1025, rows: 2 }, { column: 'AMOUNT', currency: 'EUR', cents: 700, rows: 1 }] },
      verdict: { ok: true },
      allowedActions: ['approve', 'reject'],
      mine: false,
      contentHash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    const invoiceCents = zoho.documents.filter((d) => d.kind === 'invoice').reduce((s, d) => s + d.cents.total, 0);
    expect(byId(bob.entries, zoho.batch.id)).toMatchObject({
      itemCount: 4,
      summary: {
        items: 4,
        documents: [
          { kind: 'invoice', currency: 'USD', count: 2, cents: invoiceCents },
          { kind: 'payment', currency: 'USD', count: 1, cents: invoiceCents },
          { kind: 'journal', currency: 'USD', count: 1 },
        ],
      },
      verdict: { ok: true },
    });
    const waiting = bob.entries.filter((e: { verdict: { ok: boolean } | null }) => e.verdict?.ok).length;
    expect(bob.waitingForYou).toBe(waiting);
    expect(waiting).toBeGreaterThanOrEqual(3);
    expect((await app.inject({ method: 'GET', url: '/api/batches/inbox/count', headers: as('bob') })).json()).toEqual({ waitingForYou: waiting });

    // alice sees her own batches with the rule's sentence, and what she may still do
    const alice = await inbox('alice');
    expect(byId(alice.entries, cb.id)).toMatchObject({ mine: true, verdict: { ok: false, code: 'maker-checker', reason: `You prepared batch ${cb.id}, so someone else must approve it.` }, allowedActions: ['edit', 'withdraw'] });
    expect(byId(alice.entries, zoho.batch.id)).toMatchObject({ mine: true, verdict: { code: 'maker-checker' }, allowedActions: ['edit', 'remove-items', 'withdraw'] });
    expect(byId(alice.entries, spursh.id)).toMatchObject({ mine: false, verdict: { ok: false, code: 'wrong-role' } });
    expect(alice.waitingForYou).toBe(0);
    expect((await app.inject({ method: 'GET', url: '/api/batches/inbox/count', headers: as('alice') })).json()).toEqual({ waitingForYou: 0 });

    // the list costs the same few queries however many batches there are
    const counted = (counter: { n: number }): Queryable => ({
      dialect: t.store.dialect,
      query: (sql, params) => (counter.n++, t.store.query(sql, params)),
      one: (sql, params) => (counter.n++, t.store.one(sql, params)),
      exec: (sql, params) => (counter.n++, t.store.exec(sql, params)),
      queryTable: (sql, params) => (counter.n++, t.store.queryTable(sql, params)),
      execScript: (sql) => (counter.n++, t.store.execScript(sql)),
    });
    const before = { n: 0 };
    const few = await listInbox(counted(before), user('bob', ['approver']));
    await delivery('carol', 'chargebacks', [{ name: 'MORE_#.csv', text: CHARGEBACKS }]);
    await delivery('carol', 'chargebacks', [{ name: 'EVENMORE_#.csv', text: CHARGEBACKS }]);
    const after = { n: 0 };
    const more = await listInbox(counted(after), user('bob', ['approver']));
    expect(more.entries.length).toBe(few.entries.length + 2);
    expect(after.n).toBe(before.n);
    expect(after.n).toBeLessThanOrEqual(6);
  });

  test('a posting batch in review (the census found a duplicate) stays in the inbox among the batches to act on', async () => {
    const zoho = await posting('alice');
    // (the state the posting worker leaves a batch in when Zoho holds a document twice; the e2e walks there for real)
    await t.store.exec("UPDATE batches SET state = 'needs_review' WHERE id = $1", [zoho.batch.id]);
    for (const who of ['bob', 'alice']) {
      const e = (await inbox(who)).entries.find((x: { batch: { id: string } }) => x.batch.id === zoho.batch.id);
      expect({ who, state: e?.batch.state }).toEqual({ who, state: 'needs_review' });
    }
  });

  test('the approver sees what will leave: files as first rows, row count and totals; Zoho documents as totals per type', async () => {
    const cb = await delivery('alice', 'chargebacks', [{ name: 'VISA_#.csv', text: CHARGEBACKS }]);
    const c = await content(cb.id);
    expect(c.content.files).toEqual([
      expect.objectContaining({
        fileName: `VISA_${backend}_${n}.csv`,
        partnerName: 'Inbox FTP',
        preview: {
          header: ['CASE_ID', 'NETWORK', 'AMOUNT', 'CURRENCY'],
          rows: [
            ['CB-1', 'VISA', '10.50', 'USD'],
            ['CB-2', 'VISA', '-0.25', 'USD'],
            ['CB-3', 'VISA', '7.00', 'EUR'],
          ],
          rowCount: 3,
          totals: [
            { column: 'AMOUNT', currency: 'USD', cents: 1025, rows: 2 },
            { column: 'AMOUNT', currency: 'EUR', cents: 700, rows: 1 },
          ],
        },
        neutralised: [],
      }),
    ]);
    expect(c).toMatchObject({ approvedHash: null, matchesApproval: null, content: { version: 1, diff: null, contentHash: expect.stringMatching(/^[0-9a-f]{64}$/) } });

    const zoho = await posting('alice');
    const z = (await content(zoho.batch.id)).content;
    const byKind = (k: string) => zoho.documents.filter((d) => d.kind === k);
    const sum = (k: string) => byKind(k).reduce((s, d) => s + d.cents.total, 0);
    expect(z.documents.totals).toEqual(['invoice', 'payment', 'journal'].map((k) => ({ kind: k, currency: 'USD', count: byKind(k).length, cents: sum(k) })));
    expect(z.documents.count).toBe(4);
    expect(z.documents.first[0]).toMatchObject({ kind: 'invoice', label: zoho.documents[0]!.lookup.invoice_number, cents: zoho.documents[0]!.cents.total, currency: 'USD', date: '2026-01-15' });
  });

  test('a batch edited after approval is not sent and its approval is void; the approver sees the diff and approves the new content', async () => {
    const first = 'CASE_ID,AMOUNT,CURRENCY\r\nCB-1,1.00,USD\r\nCB-2,2.00,USD\r\n';
    const b = await delivery('alice', 'chargebacks', [{ name: 'A_#.csv', text: first }, { name: 'B_#.csv', text: first }]);
    const v1 = await content(b.id);
    expect((await approve(b.id, 1, v1.content.contentHash)).json().approval).toMatchObject({ batchVersion: 1, contentHash: v1.content.contentHash });

    // carol replaces file B's content (its bytes prepared in a batch of her own, then withdrawn)
    const second = 'CASE_ID,AMOUNT,CURRENCY\r\nCB-1,1.00,USD\r\nCB-2,20.00,USD\r\nCB-3,3.00,USD\r\n';
    const donor = await delivery('carol', 'chargebacks', [{ name: 'DONOR_#.csv', text: second }]);
    const donorRequest = (await listBatchItems(t.store, donor.id))[0]!.request as Record<string, unknown>;
    await app.inject({ method: 'POST', url: `/api/batches/${donor.id}/withdraw`, headers: as('carol'), payload: {} });
    const items = await listBatchItems(t.store, b.id);
    await editBatch(t.store, {
      id: b.id,
      expectedVersion: 1,
      editedBy: user('carol', ['preparer']),
      items: items.map((i) => ({ kind: i.kind, idempotencyKey: i.idempotencyKey, request: i.seq === 2 ? { ...(i.request as object), sha256: donorRequest.sha256, bytes: donorRequest.bytes, contentSha256: donorRequest.contentSha256 } : i.request })),
    });

    // not sent: the approval was for version 1
    const send = await app.inject({ method: 'POST', url: `/api/deliveries/${b.id}/send?wait=true`, headers: as('bob') });
    expect([send.statusCode, send.json().error.code]).toEqual([409, 'not-approved']);
    await expect(assertApprovedForSending(t.store, b.id)).rejects.toMatchObject({ code: 'not-approved' });
    expect(items.map((i) => sent((i.request as { fileName: string }).fileName))).toEqual([false, false]);
    expect((await app.inject({ method: 'GET', url: `/api/batches/${b.id}`, headers: as('bob') })).json()).toMatchObject({ approvedForSending: false, batch: { version: 2, state: 'awaiting_approval' } });
    expect((await auditOf(b.id)).find((e) => e.action === 'batch.send-refused')).toMatchObject({ actor: devId('bob'), details: { code: 'not-approved' } });

    // the approver sees what changed since version 1, row by row
    const v2 = await content(b.id);
    expect(v2.content.contentHash).not.toBe(v1.content.contentHash);
    expect(v2.content.diff).toMatchObject({
      fromVersion: 1,
      toVersion: 2,
      added: [],
      removed: [],
      unchanged: 1,
      changed: [
        {
          label: `B_${backend}_${n - 1}.csv`,
          rows: { keyColumn: 'CASE_ID', added: [['CB-3', '3.00', 'USD']], removed: [], changed: [{ before: ['CB-2', '2.00', 'USD'], after: ['CB-2', '20.00', 'USD'] }] },
        },
      ],
    });
    // an approval of what she saw before is refused; of what is there now, it stands and is sent
    const stale = await approve(b.id, 2, v1.content.contentHash);
    expect([stale.statusCode, stale.json().error.code]).toEqual([409, 'stale-content']);
    expect((await approve(b.id, 2, v2.content.contentHash)).statusCode).toBe(200);
    const ok = await app.inject({ method: 'POST', url: `/api/deliveries/${b.id}/send?wait=true`, headers: as('bob') });
    expect(ok.json().batch.state).toBe('done');
    expect(fs.readFileSync(path.join(ftp.dir, `B_${backend}_${n - 1}.csv`), 'utf8')).toBe(second);
  });

  /** A chargebacks file prepared by alice and approved by bob, whose stored bytes are then changed (`from` → `to`). */
  async function approvedThenAltered(prefix: string, from: string, to: string) {
    const b = await delivery('alice', 'chargebacks', [{ name: `${prefix}_#.csv`, text: CHARGEBACKS }]);
    const name = `${prefix}_${backend}_${n}.csv`;
    const c = await content(b.id);
    expect((await approve(b.id, 1, c.content.contentHash)).statusCode).toBe(200);
    const sha = ((await listBatchItems(t.store, b.id))[0]!.request as { sha256: string }).sha256;
    await t.store.exec('UPDATE delivery_blobs SET content = $2 WHERE sha256 = $1', [sha, Buffer.from(CHARGEBACKS.replace(from, to))]);
    return { b, name, c };
  }

  test('a file altered in the store after approval is refused at send time and the refusal is audited', async () => {
    const { b, name, c } = await approvedThenAltered('ALTERED', '10.50', '1050.00');

    const send = await app.inject({ method: 'POST', url: `/api/deliveries/${b.id}/send?wait=true`, headers: as('bob') });
    expect([send.statusCode, send.json().error.code]).toEqual([409, 'content-changed']);
    expect(send.json().error.message).toMatch(new RegExp(`^Batch ${b.id} is not what bob approved \\(its content hashes to [0-9a-f]{12}… now, the approval was for ${c.content.contentHash.slice(0, 12)}…\\); nothing is sent`));
    await expect(deliverBatch({ store: t.store, secrets: app.ctx.secrets, audit: app.ctx.audit }, b.id, { actor: 'system:test' })).rejects.toMatchObject({ code: 'content-changed' });
    expect(sent(name)).toBe(false);
    const refusals = (await auditOf(b.id)).filter((e) => e.action === 'batch.send-refused');
    expect(refusals.map((e) => e.actor).sort()).toEqual([devId('bob'), 'system:test'].sort());
    expect(refusals[0]!.details).toMatchObject({ code: 'content-changed', approvedHash: c.content.contentHash, contentHash: expect.not.stringMatching(c.content.contentHash) });
    // the approver's view says so
    const after = await content(b.id);
    expect(after).toMatchObject({ matchesApproval: false, approvedHash: c.content.contentHash });
    expect(after.content.files[0].note).toBe('The stored file no longer matches what was prepared; it will not be sent.');
  });

  /** A Zoho posting batch prepared by alice and approved by bob, whose first invoice line then gets another rate in the store. */
  async function approvedThenRepriced(rate: number) {
    const p = await posting('alice');
    const c = await content(p.batch.id);
    expect((await approve(p.batch.id, 1, c.content.contentHash)).statusCode).toBe(200);
    const invoice = (await listBatchItems(t.store, p.batch.id))[0]!;
    (invoice.request as { body: { line_items: { rate: number }[] } }).body.line_items[0]!.rate = rate;
    await t.store.exec('UPDATE batch_items SET request = $3 WHERE batch_id = $1 AND seq = $2', [p.batch.id, invoice.seq, JSON.stringify(invoice.request)]);
    return { p, c };
  }

  test('the posting worker refuses Zoho documents altered after approval, and posts the approved ones', async () => {
    const deps = { store: t.store, secrets: app.ctx.secrets, audit: app.ctx.audit };
    const { p: tampered, c } = await approvedThenRepriced(99999);
    const invoicesBefore = sb.sandbox.state.data.books[0]!.invoices.length;
    await expect(postBatch(deps, tampered.batch.id, { actor: 'system:worker-test' })).rejects.toMatchObject({ code: 'content-changed' });
    expect(sb.sandbox.state.data.books[0]!.invoices.length).toBe(invoicesBefore);
    expect((await auditOf(tampered.batch.id)).find((e) => e.action === 'batch.send-refused')).toMatchObject({ actor: 'system:worker-test', details: { code: 'content-changed', approvedHash: c.content.contentHash } });

    // the destination is part of what was approved too
    const moved = await posting('alice');
    expect((await approve(moved.batch.id, 1, (await content(moved.batch.id)).content.contentHash)).statusCode).toBe(200);
    const payload = (await t.store.one<{ payload: string }>('SELECT payload FROM batches WHERE id = $1', [moved.batch.id]))!.payload;
    await t.store.exec('UPDATE batches SET payload = $2 WHERE id = $1', [moved.batch.id, JSON.stringify({ ...JSON.parse(payload), organizationId: '999' })]);
    await expect(postBatch(deps, moved.batch.id)).rejects.toMatchObject({ code: 'content-changed' });

    // unchanged after approval: posted
    const fine = await posting('alice');
    expect((await approve(fine.batch.id, 1, (await content(fine.batch.id)).content.contentHash)).statusCode).toBe(200);
    const out = await postBatch(deps, fine.batch.id, { actor: 'system:worker-test' });
    expect(out.state).toBe('done');
    expect(sb.sandbox.state.data.books[0]!.invoices.length).toBe(invoicesBefore + 2);
  });

  /** What the store, the audit log, the inbox and the approver's view say after a refused send voided bob's approval. */
  async function expectVoided(id: string, approvedHash: string, actor: string) {
    const detail = (await app.inject({ method: 'GET', url: `/api/batches/${id}`, headers: as('bob') })).json();
    expect(detail).toMatchObject({ approvedForSending: false, batch: { version: 1, state: 'awaiting_approval' } });
    // the approval row is kept, marked void with the hash found
    const approvals = await listApprovals(t.store, id);
    expect(approvals).toHaveLength(1);
    const nowHash = approvals[0]!.voided!.contentHash;
    expect(approvals[0]).toMatchObject({ decision: 'approved', approvedByName: 'bob', contentHash: approvedHash, voided: { at: expect.any(String), reason: expect.stringContaining('is not what bob approved') } });
    expect(nowHash).toMatch(/^[0-9a-f]{64}$/);
    expect(nowHash).not.toBe(approvedHash);
    const voids = (await auditOf(id)).filter((e) => e.action === 'batch.approval-voided');
    expect(voids).toHaveLength(1);
    expect(voids[0]).toMatchObject({ actor, details: { approvedHash, contentHash: nowHash, approvedByName: 'bob', reason: expect.stringContaining('nothing is sent') } });
    // back in the approvers' inbox, with the sentence; approvable again by the same rule
    const sentence = `Approval void: the content changed after approval (approved hash ${approvedHash.slice(0, 12)}…, now ${nowHash.slice(0, 12)}…).`;
    const entry = (await inbox('bob')).entries.find((e: { batch: { id: string } }) => e.batch.id === id);
    expect(entry).toMatchObject({ batch: { state: 'awaiting_approval' }, approvalVoid: sentence, verdict: { ok: true }, allowedActions: ['approve', 'reject'], approvedBy: null });
    expect((await inbox('alice')).entries.find((e: { batch: { id: string } }) => e.batch.id === id)).toMatchObject({ approvalVoid: sentence, verdict: { ok: false } });
    expect(await content(id)).toMatchObject({ approvalVoid: sentence, approvedHash, matchesApproval: false });
    return nowHash;
  }

  test('a file delivery whose content changed after approval is not sent: the approval is void and the batch awaits approval again', async () => {
    const { b, name, c } = await approvedThenAltered('VOID', '7.00', '700.00');

    await expect(deliverBatch({ store: t.store, secrets: app.ctx.secrets, audit: app.ctx.audit }, b.id, { actor: 'system:void-test' })).rejects.toMatchObject({ code: 'content-changed' });
    expect(sent(name)).toBe(false);
    const nowHash = await expectVoided(b.id, c.content.contentHash, 'system:void-test');
    // a second attempt stays refused, says the approval is void, and voids nothing more
    const again = await app.inject({ method: 'POST', url: `/api/deliveries/${b.id}/send?wait=true`, headers: as('bob') });
    expect([again.statusCode, again.json().error.code]).toEqual([409, 'content-changed']);
    expect(again.json().error.message).toContain('that approval is void: the batch awaits approval again');
    expect((await auditOf(b.id)).filter((e) => e.action === 'batch.approval-voided')).toHaveLength(1);
    expect(sent(name)).toBe(false);
    // the approver may approve what is there now (the file check then decides what leaves)
    expect((await approve(b.id, 1, nowHash)).statusCode).toBe(200);
    expect((await listApprovals(t.store, b.id)).map((a) => [a.contentHash, a.voided === null])).toEqual([
      [c.content.contentHash, false],
      [nowHash, true],
    ]);
  });

  test('a Zoho posting batch whose documents changed after approval is not posted: the approval is void and the batch awaits approval again', async () => {
    const deps = { store: t.store, secrets: app.ctx.secrets, audit: app.ctx.audit };
    const { p, c } = await approvedThenRepriced(4242);
    const invoicesBefore = sb.sandbox.state.data.books[0]!.invoices.length;

    await expect(postBatch(deps, p.batch.id, { actor: 'system:void-worker' })).rejects.toMatchObject({ code: 'content-changed' });
    expect(sb.sandbox.state.data.books[0]!.invoices.length).toBe(invoicesBefore);
    await expectVoided(p.batch.id, c.content.contentHash, 'system:void-worker');
    // starting it through the API is refused the same way
    const start = await app.inject({ method: 'POST', url: `/api/posting/batches/${p.batch.id}/start`, headers: as('bob') });
    expect([start.statusCode, start.json().error.code]).toEqual([409, 'content-changed']);
    expect(sb.sandbox.state.data.books[0]!.invoices.length).toBe(invoicesBefore);
  });

  test('before approval a preparer removes items (a new version the inbox and the diff show) or withdraws the batch', async () => {
    const zoho = await posting('alice');
    const id = zoho.batch.id;
    const journal = (await listBatchItems(t.store, id)).find((i) => i.kind === 'journal')!;
    const bobCount = async () => (await app.inject({ method: 'GET', url: '/api/batches/inbox/count', headers: as('bob') })).json().waitingForYou;
    const waitingBefore = await bobCount();
    const refused = await app.inject({ method: 'POST', url: `/api/batches/${id}/remove-items`, headers: as('bob'), payload: { version: 1, seqs: [journal.seq] } });
    expect([refused.statusCode, refused.json().error.code]).toEqual([403, 'not-a-preparer']);
    const r = await app.inject({ method: 'POST', url: `/api/batches/${id}/remove-items`, headers: as('alice'), payload: { version: 1, seqs: [journal.seq] } });
    expect(r.statusCode).toBe(200);
    const entry = (await inbox('bob')).entries.find((e: { batch: { id: string } }) => e.batch.id === id);
    expect(entry).toMatchObject({ batch: { version: 2, state: 'awaiting_approval' }, itemCount: 3, summary: { items: 3 } });
    expect(entry.summary.documents.map((d: { kind: string }) => d.kind)).toEqual(['invoice', 'payment']);
    const c = await content(id);
    expect(c.content.diff).toMatchObject({ fromVersion: 1, toVersion: 2, added: [], changed: [], unchanged: 3, removed: [{ key: journal.idempotencyKey, kind: 'journal' }] });

    const w = await app.inject({ method: 'POST', url: `/api/batches/${id}/withdraw`, headers: as('alice'), payload: { version: 2, reason: 'wrong settlement' } });
    expect(w.json().batch.state).toBe('cancelled');
    expect(await bobCount()).toBe(waitingBefore - 1);
    const listed = (await inbox('alice')).entries.find((e: { batch: { id: string } }) => e.batch.id === id);
    expect(listed).toMatchObject({ batch: { state: 'cancelled' }, verdict: null, allowedActions: [] });
  });

  test('every file that leaves passes the formula rule: neutralised cells are listed and hashed as they leave; what cannot be checked is refused', async () => {
    const b = await delivery('alice', 'chargebacks', [{ name: 'F_#.csv', text: 'CASE_ID,NOTE,AMOUNT\r\nCB-1,=HYPERLINK("http://evil"),-12.50\r\nCB-2,"@cmd",3\r\n' }]);
    const item = (await listBatchItems(t.store, b.id))[0]!.request as { sha256: string; neutralised: unknown[]; neutralisedCount: number };
    expect(item.neutralised).toEqual([
      { row: 2, column: 'NOTE', value: '=HYPERLINK("http://evil")' },
      { row: 3, column: 'NOTE', value: '@cmd' },
    ]);
    const c = await content(b.id);
    expect(c.content.files[0]).toMatchObject({ neutralisedCount: 2, preview: { rows: [['CB-1', '\'=HYPERLINK("http://evil")', '-12.50'], ['CB-2', "'@cmd", '3']] } });
    expect(c.content.summary.neutralised).toBe(2);
    expect((await auditOf(b.id)).find((e) => e.action === 'delivery.prepared')!.details).toMatchObject({ files: [{ neutralised: expect.stringContaining('2 cells that a spreadsheet would run as a formula') }] });
    expect((await approve(b.id, 1, c.content.contentHash)).statusCode).toBe(200);
    expect((await app.inject({ method: 'POST', url: `/api/deliveries/${b.id}/send?wait=true`, headers: as('bob') })).json().batch.state).toBe('done');
    expect(fs.readFileSync(path.join(ftp.dir, `F_${backend}_${n}.csv`), 'utf8')).toBe('CASE_ID,NOTE,AMOUNT\r\nCB-1,\'=HYPERLINK("http://evil"),-12.50\r\nCB-2,"\'@cmd",3\r\n');

    // a preparer's SPURSH file, saved to the outbox and delivered from it, passes the same rule
    const spursh = `SPURSH_US_${backend}.csv`;
    expect((await app.inject({ method: 'POST', url: '/api/vret/spursh', headers: as('alice'), payload: { fileName: spursh, csv: 'VENDOR_NAME,FUNDING_AMOUNT\r\n+ACME,-1.00\r\n' } })).statusCode).toBe(200);
    const fromOutbox = await app.inject({ method: 'POST', url: '/api/deliveries', headers: as('alice'), payload: { job: 'vret', files: [{ fileName: spursh, partnerId, fromOutbox: true }] } });
    expect(fromOutbox.statusCode).toBe(201);
    expect(fromOutbox.json().items[0].request.neutralised).toEqual([{ row: 2, column: 'VENDOR_NAME', value: '+ACME' }]);

    const refuse = async (fileName: string, payload: { text?: string; base64?: string }) => {
      const r = await app.inject({ method: 'POST', url: '/api/deliveries', headers: as('alice'), payload: { job: 'chargebacks', files: [{ fileName, partnerId, ...payload }] } });
      expect([r.statusCode, r.json().error.code]).toEqual([400, 'file-refused']);
      return r.json().error.message as string;
    };
    expect(await refuse('OPEN.csv', { text: 'A,B\r\n1,"never closed\r\n' })).toBe(
      'OPEN.csv, row 2, column 2: a quoted cell is not closed before the end of the file, so CloseDesk cannot check it for formulas; fix the file and prepare it again.',
    );
    expect(await refuse('BLOB.bin', { base64: Buffer.from([0, 1, 2]).toString('base64') })).toMatch(/^BLOB\.bin is neither delimited text/);
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('Invoice');
    ws.getCell('A1').value = 'TOTAL';
    ws.getCell('B2').value = { formula: 'WEBSERVICE("http://evil")', result: 0 } as ExcelJS.CellFormulaValue;
    expect(await refuse('BOOK.xlsx', { base64: Buffer.from(await wb.xlsx.writeBuffer()).toString('base64') })).toBe(
      'BOOK.xlsx, sheet Invoice, cell B2 (=WEBSERVICE("http://evil")) holds a formula; CloseDesk sends workbooks with values only. Replace the formula by its value and prepare the batch again.',
    );
    ws.getCell('B2').value = '=text, not a formula';
    const clean = await app.inject({
      method: 'POST',
      url: '/api/deliveries',
      headers: as('alice'),
      payload: { job: 'tuition', files: [{ fileName: `BOOK_${backend}.xlsx`, partnerId, base64: Buffer.from(await wb.xlsx.writeBuffer()).toString('base64') }] },
    });
    expect(clean.statusCode).toBe(201);
    expect((await content(clean.json().batch.id)).content.files[0]).toMatchObject({ preview: null, note: 'Not a delimited text file: shown by size and sha256 only.' });
  });
});
