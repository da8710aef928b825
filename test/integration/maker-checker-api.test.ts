/**
 * Maker-checker through the API on SQLite and PostgreSQL: nobody approves her own work — not with the
 * same token, another spelling of her name, an admin role or a preparer + approver pair, and not when
 * she prepared a single item — and a batch changed after approval is not sent (its approval is void)
 * until someone who prepared none of it approves the new version. Files go to a real FTP server.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { importJWK, SignJWT } from 'jose';
import { buildApp } from '../../server/app';
import { startDemoFtpTarget, type DemoFtpTarget } from '../../server/dev/demo-ftp-target';
import { deliverBatch } from '../../server/delivery/service';
import { postBatch, POSTING_JOB, POSTING_KIND } from '../../server/posting/worker';
import { assertApprovedForSending, createBatch, decideBatch, editBatch, listBatchItems, requireBatch } from '../../server/store/batches';
import { BACKENDS, openTestBackend, testConfig, type TestBackend } from './backends';
import { devId, person, user } from './people';

describe.each(BACKENDS)('maker-checker through the API on %s', (backend) => {
  let t: TestBackend;
  let app: FastifyInstance;
  let ftp: DemoFtpTarget;
  let partnerId: string;
  const tokens: Record<string, string> = {};
  const as = (who: string) => ({ authorization: `Bearer ${tokens[who]}` });
  let n = 0;

  beforeAll(async () => {
    t = await openTestBackend(backend);
    ftp = await startDemoFtpTarget(path.join(t.dir, 'ftp'), { port: 0 });
    const config = testConfig(t);
    app = await buildApp(config, { store: t.store });
    await app.ready();
    const sign = app.ctx.auth.devIssuer!.sign;
    tokens.alice = await sign({ user: 'alice', roles: ['preparer'] });
    tokens.aliceApprover = await sign({ user: 'alice', roles: ['approver'] });
    tokens.AliceUpper = await sign({ user: 'Alice', roles: ['approver'] });
    tokens.ALICE = await sign({ user: 'ALICE', roles: ['approver'], name: 'Alice A.' });
    tokens.aliceAdmin = await sign({ user: 'alice', roles: ['admin'] });
    tokens.alicePair = await sign({ user: 'alice', roles: ['preparer', 'approver'] });
    tokens.dave = await sign({ user: 'dave', roles: ['preparer', 'approver'] });
    tokens.bob = await sign({ user: 'bob', roles: ['approver'] });
    tokens.carol = await sign({ user: 'carol', roles: ['preparer'] });
    tokens.root = await sign({ user: 'root', roles: ['admin'] });
    const p = await app.inject({
      method: 'POST',
      url: '/api/partners',
      headers: as('root'),
      payload: { name: 'Checked FTP', protocol: 'ftp', host: '127.0.0.1', port: ftp.port, folder: 'inbox', username: ftp.username, password: ftp.password, networks: ['VISA'] },
    });
    expect(p.statusCode).toBe(201);
    partnerId = p.json().partner.id;
  });
  afterAll(async () => {
    await app?.close();
    await ftp?.close();
    await t?.cleanup();
  });

  /** alice prepares a delivery batch through the API. */
  async function prepared(files = ['A']): Promise<{ id: string; version: number }> {
    n++;
    const r = await app.inject({
      method: 'POST',
      url: '/api/deliveries',
      headers: as('alice'),
      payload: { job: 'chargebacks', files: files.map((f) => ({ fileName: `${f}_${backend}_${n}.csv`, partnerId, text: `CASE_ID\r\n${f}-${n}\r\n` })) },
    });
    expect(r.statusCode).toBe(201);
    expect(r.json().batch).toMatchObject({ state: 'awaiting_approval', preparedBy: devId('alice'), preparedByName: 'alice', preparers: [person('alice')] });
    return r.json().batch;
  }
  const approve = (id: string, version: number, who: string) => app.inject({ method: 'POST', url: `/api/batches/${id}/approve`, headers: as(who), payload: { version } });
  const inbox = () => fs.readdirSync(ftp.dir).filter((f) => f.includes(`_${backend}_`));

  test('the preparer is refused with the same token, another spelling of her name, an admin role and a preparer + approver pair', async () => {
    const b = await prepared();
    for (const who of ['alice', 'aliceApprover', 'AliceUpper', 'ALICE', 'aliceAdmin', 'alicePair']) {
      const r = await approve(b.id, b.version, who);
      expect([who, r.statusCode, r.json().error.code]).toEqual([who, 403, 'maker-checker']);
      expect(r.json().error.message).toBe(`You prepared batch ${b.id}, so someone else must approve it.`);
      const rej = await app.inject({ method: 'POST', url: `/api/batches/${b.id}/reject`, headers: as(who), payload: { version: b.version, reason: 'not mine to judge' } });
      expect([who, rej.statusCode, rej.json().error.code]).toEqual([who, 403, 'maker-checker']);
    }
    expect((await requireBatch(t.store, b.id)).state).toBe('awaiting_approval');
    // without an approving role the answer names the role
    const carol = await approve(b.id, b.version, 'carol');
    expect([carol.statusCode, carol.json().error.code]).toEqual([403, 'wrong-role']);
    // an administrator who prepared nothing of it may approve
    const ok = await approve(b.id, b.version, 'root');
    expect(ok.statusCode).toBe(200);
    expect(ok.json().approval).toMatchObject({ approvedBy: devId('root'), approvedByName: 'root', approverRoles: ['admin'], batchVersion: b.version });
    const shown = await app.inject({ method: 'GET', url: `/api/batches/${b.id}`, headers: as('alice') });
    // alice may still change it (which voids the approval); she can no longer withdraw it
    expect(shown.json()).toMatchObject({ approvedForSending: true, allowedActions: ['edit'] });
    const audit = await app.ctx.audit.recent({ subjectType: 'batch', subjectId: b.id });
    expect(audit.find((e) => e.action === 'batch.approved')).toMatchObject({ actor: devId('root') });
  });

  test('a person who prepared only one item of the batch is refused too', async () => {
    const b = await prepared(['A', 'B', 'C']);
    const items = await listBatchItems(t.store, b.id);
    // dave changes file C (the only server-side way to edit a batch today is the store's editBatch) …
    const dave = user('dave', ['preparer', 'approver']);
    await editBatch(t.store, {
      id: b.id,
      expectedVersion: 1,
      editedBy: dave,
      items: items.map((i) => ({ kind: i.kind, idempotencyKey: i.idempotencyKey, request: i.seq === 3 ? { ...(i.request as object), label: 'corrected' } : i.request })),
    });
    // … then alice, through the API, removes file A: she made version 3, dave prepared file C only.
    const trimmed = await app.inject({ method: 'POST', url: `/api/batches/${b.id}/remove-items`, headers: as('alice'), payload: { version: 2, seqs: [1] } });
    expect(trimmed.statusCode).toBe(200);
    expect(trimmed.json().batch).toMatchObject({ version: 3, preparedBy: devId('alice'), preparers: [person('alice'), person('dave')] });
    expect(trimmed.json().items.map((i: { seq: number; preparedBy: unknown }) => [i.seq, i.preparedBy])).toEqual([
      [2, [person('alice')]],
      [3, [person('alice'), person('dave')]],
    ]);
    const r = await approve(b.id, 3, 'dave');
    expect([r.statusCode, r.json().error.code]).toEqual([403, 'maker-checker']);
    expect(r.json().error.message).toMatch(/^You prepared item 3 \(C_.*\.csv\) in batch .*, so someone else must approve it\.$/);
    expect((await approve(b.id, 3, 'bob')).statusCode).toBe(200);
  });

  test('a batch changed after approval is not sent and its approval is void; the new version needs a new approval', async () => {
    const b = await prepared(['EDIT']);
    expect((await approve(b.id, 1, 'bob')).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: `/api/batches/${b.id}`, headers: as('bob') })).json().approvedForSending).toBe(true);

    // carol changes the file's request after the approval (a new version, awaiting approval again)
    const items = await listBatchItems(t.store, b.id);
    const edited = await editBatch(t.store, {
      id: b.id,
      expectedVersion: 1,
      editedBy: user('carol', ['preparer']),
      items: items.map((i) => ({ kind: i.kind, idempotencyKey: i.idempotencyKey, request: { ...(i.request as object), label: 'changed after approval' } })),
    });
    expect(edited).toMatchObject({ version: 2, state: 'awaiting_approval', preparedBy: devId('carol') });
    const shown = (await app.inject({ method: 'GET', url: `/api/batches/${b.id}`, headers: as('bob') })).json();
    expect(shown).toMatchObject({ approvedForSending: false, batch: { version: 2 }, approvals: [{ batchVersion: 1, approvedBy: devId('bob') }] });

    const send = await app.inject({ method: 'POST', url: `/api/deliveries/${b.id}/send?wait=true`, headers: as('bob') });
    expect([send.statusCode, send.json().error.code]).toEqual([409, 'not-approved']);
    await expect(deliverBatch({ store: t.store, secrets: app.ctx.secrets }, b.id, { actor: devId('bob') })).rejects.toMatchObject({ code: 'not-approved' });
    await expect(assertApprovedForSending(t.store, b.id)).rejects.toMatchObject({ code: 'not-approved' });
    expect(inbox().filter((f) => f.startsWith('EDIT'))).toEqual([]);
    // the old approval cannot be replayed on the new version
    const stale = await approve(b.id, 1, 'bob');
    expect([stale.statusCode, stale.json().error.code]).toEqual([409, 'stale-version']);
    // the editor may not approve her change; alice's file is still in it, so she may not either
    expect((await approve(b.id, 2, 'carol')).json().error.code).toBe('maker-checker');
    expect((await approve(b.id, 2, 'alicePair')).json().error.code).toBe('maker-checker');

    expect((await approve(b.id, 2, 'bob')).statusCode).toBe(200);
    const sent = await app.inject({ method: 'POST', url: `/api/deliveries/${b.id}/send?wait=true`, headers: as('bob') });
    expect(sent.statusCode).toBe(200);
    expect(sent.json().batch.state).toBe('done');
    expect(inbox().filter((f) => f.startsWith('EDIT'))).toHaveLength(1);
  });

  test('the posting worker refuses a Zoho batch changed after approval before it calls Zoho', async () => {
    const doc = (k: string, total: number) => ({ kind: 'invoice', idempotencyKey: k, request: { kind: 'invoice', idempotencyKey: k, body: { invoice_number: k, total } } });
    const b = await createBatch(t.store, {
      job: POSTING_JOB,
      kind: POSTING_KIND,
      preparedBy: person('alice'),
      payload: { connectionId: 'never-called', organizationId: '1', counts: { invoice: 1 } },
      items: [doc(`${backend}-zoho-1`, 100)],
    });
    await decideBatch(t.store, { id: b.id, version: 1, user: user('bob', ['approver']), decision: 'approved' });
    await editBatch(t.store, { id: b.id, expectedVersion: 1, editedBy: user('alice', ['preparer']), items: [doc(`${backend}-zoho-1`, 100_000)] });
    await expect(postBatch({ store: t.store, secrets: app.ctx.secrets }, b.id)).rejects.toMatchObject({ code: 'not-approved' });
    expect((await requireBatch(t.store, b.id)).state).toBe('awaiting_approval');
  });

  test('a preparer withdraws her batch before approval; nobody else can, and a withdrawn batch is never approved or sent', async () => {
    const b = await prepared(['W']);
    const bob = await app.inject({ method: 'POST', url: `/api/batches/${b.id}/withdraw`, headers: as('bob'), payload: {} });
    expect([bob.statusCode, bob.json().error.code]).toEqual([403, 'not-a-preparer']);
    const stale = await app.inject({ method: 'POST', url: `/api/batches/${b.id}/withdraw`, headers: as('alice'), payload: { version: 7 } });
    expect([stale.statusCode, stale.json().error.code]).toEqual([409, 'stale-version']);
    const shown = (await app.inject({ method: 'GET', url: `/api/batches/${b.id}`, headers: as('alice') })).json();
    expect(shown.allowedActions).toEqual(['edit', 'withdraw']);
    const ok = await app.inject({ method: 'POST', url: `/api/batches/${b.id}/withdraw`, headers: as('alice'), payload: { version: 1, reason: 'wrong month' } });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().batch.state).toBe('cancelled');
    expect((await approve(b.id, 1, 'bob')).json().error.code).toBe('not-awaiting-approval');
    expect((await app.inject({ method: 'POST', url: `/api/deliveries/${b.id}/send`, headers: as('bob') })).statusCode).toBe(409);
    const audit = await app.ctx.audit.recent({ subjectType: 'batch', subjectId: b.id });
    expect(audit.find((e) => e.action === 'batch.withdrawn')).toMatchObject({ actor: devId('alice'), details: { version: 1, reason: 'wrong month' } });
  });

  test('removing items: only a preparer, only before approval, never every item', async () => {
    const b = await prepared(['R1', 'R2']);
    const refuse = async (who: string, body: object) => {
      const r = await app.inject({ method: 'POST', url: `/api/batches/${b.id}/remove-items`, headers: as(who), payload: body });
      return [r.statusCode, r.json().error?.code];
    };
    expect(await refuse('bob', { version: 1, seqs: [1] })).toEqual([403, 'not-a-preparer']);
    expect(await refuse('alice', { version: 1, seqs: [1, 2] })).toEqual([400, 'would-be-empty']);
    expect(await refuse('alice', { version: 1, seqs: [9] })).toEqual([400, 'item-not-found']);
    expect(await refuse('alice', { version: 1, seqs: [] })).toEqual([400, 'invalid-request']);
    expect((await approve(b.id, 1, 'bob')).statusCode).toBe(200);
    expect(await refuse('alice', { version: 1, seqs: [1] })).toEqual([409, 'not-before-approval']);
  });

  test('a token that names no subject is refused', async () => {
    const { privateJwk } = JSON.parse(fs.readFileSync(path.join(t.dir, 'dev-issuer-key.json'), 'utf8'));
    const key = await importJWK(privateJwk, 'ES256');
    const token = await new SignJWT({ roles: ['approver'], preferred_username: 'bob' })
      .setProtectedHeader({ alg: 'ES256', kid: privateJwk.kid })
      .setIssuer(app.ctx.config.auth.issuer)
      .setAudience(app.ctx.config.auth.audience)
      .setExpirationTime('1h')
      .sign(key);
    const r = await app.inject({ method: 'GET', url: '/api/me', headers: { authorization: `Bearer ${token}` } });
    expect([r.statusCode, r.json().error.code]).toEqual([401, 'token-no-user']);
  });
});
