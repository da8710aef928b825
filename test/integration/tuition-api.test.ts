/**
 * Tuition invoices through the HTTP API on SQLite and PostgreSQL: drafts from partner tables, signed
 * approval links e-mailed to the customer's configured approver (a real SMTP catcher; the preparer's
 * answer never carries the token; the link's origin is configuration, not the Host header), links
 * tampered, reused, superseded and expired, a preparer named as approver refused, the customer's decision tied to the hash
 * of the version shown, delivery on approval to a real FTP server and a real SFTP server (sshd),
 * nothing delivered before approval or after a denial, an edit voiding an approval, and a restart.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../server/app';
import type { Config } from '../../server/config';
import type { TuitionDeps } from '../../server/jobs/tuition/invoices';
import { sendForApproval } from '../../server/jobs/tuition/approval';
import { startTestMail, PUBLIC_ORIGIN, type TestMail } from './tuition-mail';
import { startFtpServer, type TestFtpServer } from '../servers/ftp';
import { startSshd, type TestSshd } from '../servers/sshd';
import { BACKENDS, openTestBackend, testConfig, type TestBackend } from './backends';
import { devId, user } from './people';

const HEADER = ['Invoice Ref', 'Employer', 'Employee Email', 'Charge Type', 'Charge Amount', 'Currency', 'Service Date'];
const table = (rows: string[][]) => ({ name: 'brightpath.csv', header: HEADER, rows });
const GOOD = [
  ['BP-1', 'Northwind Traders', 'alice@northwind.test', 'Tuition', '1200.00', 'USD', '11/04/2024'],
  ['BP-2', 'Northwind Traders', 'bob@northwind.test', 'Tutoring', '60.00', 'USD', '11/05/2024'],
  ['BP-3', 'Contoso Ltd', 'carl@contoso.test', 'Tuition', '900.00', 'EUR', '11/06/2024'],
  ['BP-4', 'Contoso Ltd', 'dina@contoso.test', 'Books & materials', '45.10', 'USD', '11/07/2024'],
  ['BP-5', 'Fabrikam Inc', 'erin@fabrikam.test', 'Tuition', '300.00', 'USD', '11/08/2024'],
];

function form(fields: Record<string, string>) {
  return { payload: new URLSearchParams(fields).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } };
}

const hiddenHash = (html: string) => /name="shownHash" value="([0-9a-f]{64})"/.exec(html)![1]!;

jest.setTimeout(120_000);

describe.each(BACKENDS)('tuition invoices on %s', (backend) => {
  let t: TestBackend;
  let config: Config;
  let app: FastifyInstance;
  let ftp: TestFtpServer;
  let sshd: TestSshd;
  let sftpInbox: string;
  const tokens: Record<string, string> = {};
  const as = (who: string) => ({ authorization: `Bearer ${tokens[who]}` });
  const ids: Record<string, string> = {};
  let ftpPartnerId = '';
  let mail: TestMail;
  const approverOf: Record<string, string> = { NORTHWIND: 'ap@northwind.test', CONTOSO: 'finance@contoso.test', FABRIKAM: 'ap@fabrikam.test', ADATUM: 'ap@adatum.test' };

  async function start() {
    app = await buildApp(config, { store: t.store });
    await app.ready();
    const sign = app.ctx.auth.devIssuer!.sign;
    tokens.alice = await sign({ user: 'alice', roles: ['preparer'] });
    tokens.bob = await sign({ user: 'bob', roles: ['approver'] });
    tokens.root = await sign({ user: 'root', roles: ['admin'] });
    tokens.pat = await sign({ user: 'pat@adatum.test', roles: ['preparer'] });
  }

  const invoice = async (id: string) => (await app.inject({ method: 'GET', url: `/api/tuition/invoices/${id}`, headers: as('bob') })).json().invoice;
  /** Polls until the background delivery settled, however long a loaded machine takes (the test's timeout bounds it). */
  async function settled(id: string) {
    for (;;) {
      const inv = await invoice(id);
      if (inv.state === 'delivered' || inv.deliveryError) return inv;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  /** Sends for approval as alice and returns the path of the link the approver received by e-mail. */
  const send = async (id: string) => {
    const r = await app.inject({ method: 'POST', url: `/api/tuition/invoices/${id}/send`, headers: { ...as('alice'), host: 'evil.example' }, payload: {} });
    expect(r.statusCode).toBe(200);
    const number: string = r.json().invoice.number;
    const to = approverOf[number.replace('TU-2024-11-', '').replace('TU-2024-12-', '').split('-')[0]!]!;
    const m = await mail.mailTo(to, number);
    const link = m.links.find((l) => l.includes('/tuition/approve/'))!;
    // The origin is configuration, whatever Host the request named; the preparer learns the masked address, never the link.
    expect(link.startsWith(`${PUBLIC_ORIGIN}/tuition/approve/`)).toBe(true);
    const token = link.split('/').at(-1)!;
    expect(r.json()).toMatchObject({ sentTo: `${to[0]}***${to.slice(to.indexOf('@'))}` });
    expect(r.body).not.toContain(token);
    expect(JSON.stringify((await app.inject({ method: 'GET', url: `/api/tuition/invoices/${id}`, headers: as('alice') })).json())).not.toContain(token);
    return new URL(link).pathname;
  };

  beforeAll(async () => {
    t = await openTestBackend(backend);
    mail = await startTestMail();
    fs.mkdirSync(path.join(t.dir, 'ftp', 'in'), { recursive: true });
    ftp = await startFtpServer({ root: path.join(t.dir, 'ftp'), users: { northwind: 'ftp-pass-1' } });
    sshd = await startSshd(path.join(t.dir, 'sshd'));
    sftpInbox = path.join(t.dir, 'sftp-in');
    fs.mkdirSync(sftpInbox, { recursive: true });
    config = testConfig(t, { SMTP_HOST: mail.catcher.host, SMTP_PORT: String(mail.catcher.port), CLOSEDESK_PUBLIC_ORIGIN: PUBLIC_ORIGIN });
    await start();
    const ftpPartner = await app.inject({ method: 'POST', url: '/api/partners', headers: as('root'), payload: { name: 'Northwind FTP', protocol: 'ftp', host: '127.0.0.1', port: ftp.port, folder: 'in', username: 'northwind', password: 'ftp-pass-1' } });
    expect(ftpPartner.statusCode).toBe(201);
    ftpPartnerId = ftpPartner.json().partner.id;
    const sftpPartner = await app.inject({
      method: 'POST', url: '/api/partners', headers: as('root'),
      payload: { name: 'Contoso SFTP', protocol: 'sftp', host: '127.0.0.1', port: sshd.port, folder: sftpInbox, username: 'root', privateKey: sshd.clientKey, hostFingerprint: sshd.hostFingerprint },
    });
    expect(sftpPartner.statusCode).toBe(201);
    const put = (payload: object) => app.inject({ method: 'PUT', url: '/api/tuition/customers', headers: as('root'), payload });
    expect((await put({ name: 'Northwind Traders', approverEmail: 'ap@northwind.test', delivery: { method: 'partner', partnerId: ftpPartner.json().partner.id } })).statusCode).toBe(200);
    expect(
      (await put({ name: 'Contoso Ltd', approverEmail: 'finance@contoso.test', delivery: { method: 'partner', partnerId: sftpPartner.json().partner.id }, layout: { columns: [{ header: 'Mitarbeiter', field: 'user' }, { header: 'Art', field: 'expenseType' }, { header: 'Betrag', field: 'amount' }], delimiter: ';', expenseWords: { TUITION: 'Studiengebuehr' } } })).statusCode,
    ).toBe(200);
    // Fabrikam has an approver but no delivery target yet.
    expect((await put({ name: 'Fabrikam Inc', approverEmail: 'ap@fabrikam.test' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'PUT', url: '/api/tuition/customers', headers: as('alice'), payload: { name: 'X' } })).statusCode).toBe(403);
  });
  afterAll(async () => {
    await app?.close();
    await ftp?.close();
    await sshd?.stop();
    await mail?.close();
    await t?.cleanup();
  });

  test('blocking problems refuse the month; good files make one draft per customer and currency', async () => {
    const bad = await app.inject({ method: 'POST', url: '/api/tuition/invoices', headers: as('alice'), payload: { month: '2024-11', tables: [table([...GOOD, ['BP-9', 'Fabrikam Inc', 'x@f', 'Snacks', '1.00', 'USD', '11/01/2024']])] } });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().error.details.problems.map((p: { code: string }) => p.code)).toEqual(['unknown-expense-type']);
    expect((await app.inject({ method: 'POST', url: '/api/tuition/invoices', headers: as('bob'), payload: { month: '2024-11', tables: [table(GOOD)] } })).statusCode).toBe(403);

    const preview = await app.inject({ method: 'POST', url: '/api/tuition/preview', headers: as('alice'), payload: { month: '2024-11', tables: [table(GOOD)] } });
    expect(preview.json().totals).toEqual([{ currency: 'EUR', cents: 90000, invoices: 1 }, { currency: 'USD', cents: 160510, invoices: 3 }]);

    const r = await app.inject({ method: 'POST', url: '/api/tuition/invoices', headers: as('alice'), payload: { month: '2024-11', tables: [table(GOOD)] } });
    expect(r.statusCode).toBe(201);
    const created = r.json().created as { id: string; number: string; state: string; version: number; totalCents: number }[];
    expect(created.map((i) => [i.number, i.state, i.version, i.totalCents])).toEqual([
      ['TU-2024-11-CONTOSO-LTD-EUR', 'draft', 1, 90000],
      ['TU-2024-11-CONTOSO-LTD-USD', 'draft', 1, 4510],
      ['TU-2024-11-FABRIKAM-INC-USD', 'draft', 1, 30000],
      ['TU-2024-11-NORTHWIND-TRADERS-USD', 'draft', 1, 126000],
    ]);
    for (const i of created) ids[i.number.replace('TU-2024-11-', '')] = i.id;
    const again = await app.inject({ method: 'POST', url: '/api/tuition/invoices', headers: as('alice'), payload: { month: '2024-11', tables: [table(GOOD)] } });
    expect(again.json().unchanged).toHaveLength(4);
  });

  test('nothing is delivered before approval', async () => {
    const r = await app.inject({ method: 'POST', url: `/api/tuition/invoices/${ids['NORTHWIND-TRADERS-USD']}/deliver`, headers: as('alice') });
    expect(r.statusCode).toBe(409);
    expect(r.json().error.code).toBe('not-approved');
    expect(fs.readdirSync(path.join(ftp.root, 'in'))).toEqual([]);
  });

  test('approval page: tampered link refused, deny needs a reason, the hash shown must be current, approve once, delivered by FTP', async () => {
    const id = ids['NORTHWIND-TRADERS-USD']!;
    const link = await send(id);
    expect((await invoice(id)).state).toBe('awaiting_approval');
    const page = await app.inject({ method: 'GET', url: link });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain('1,260.00 USD');
    expect(page.body).toContain('alice@northwind.test');
    const hash = hiddenHash(page.body);
    expect(hash).toBe((await invoice(id)).hash);

    const last = link.at(-1) === 'A' ? 'B' : 'A';
    const tampered = await app.inject({ method: 'GET', url: link.slice(0, -1) + last });
    expect(tampered.statusCode).toBe(404);
    expect(tampered.body).toContain('This link is not valid');
    const forged = await app.inject({ method: 'POST', url: link.slice(0, -1) + last, ...form({ decision: 'approved', shownHash: hash }) });
    expect(forged.statusCode).toBe(404);

    const noReason = await app.inject({ method: 'POST', url: link, ...form({ decision: 'denied', shownHash: hash, reason: '  ' }) });
    expect(noReason.statusCode).toBe(400);
    expect(noReason.body).toContain('Please say why you deny');
    const stale = await app.inject({ method: 'POST', url: link, ...form({ decision: 'approved', shownHash: 'a'.repeat(64) }) });
    expect(stale.statusCode).toBe(400);
    expect((await invoice(id)).state).toBe('awaiting_approval');

    const ok = await app.inject({ method: 'POST', url: link, ...form({ decision: 'approved', shownHash: hash }) });
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toContain('You approved invoice TU-2024-11-NORTHWIND-TRADERS-USD');
    const reused = await app.inject({ method: 'POST', url: link, ...form({ decision: 'denied', shownHash: hash, reason: 'changed my mind' }) });
    expect(reused.statusCode).toBe(410);
    expect(reused.body).toContain('This link was already used');

    const done = await settled(id);
    expect(done).toMatchObject({ state: 'delivered', version: 1, decision: { decision: 'approved', by: 'customer:ap@northwind.test', recipient: 'ap@northwind.test', version: 1, hash } });
    // who decided is the configured approver's identity; the delivery batch carries the invoice's preparers and her approval
    expect(done.decision.byId).toBe('urn:closedesk:tuition-approval-link#ap@northwind.test');
    const batch = (await app.inject({ method: 'GET', url: `/api/batches/${done.deliveryBatchId}`, headers: as('bob') })).json();
    expect(batch.batch).toMatchObject({ preparedBy: 'urn:closedesk:system#tuition-delivery', preparers: [{ id: 'urn:closedesk:system#tuition-delivery' }, { id: devId('alice'), name: 'alice' }] });
    expect(batch.approvals).toMatchObject([{ approvedBy: done.decision.byId, approvedByName: 'customer:ap@northwind.test', approverRoles: ['approver'] }]);
    const files = fs.readdirSync(path.join(ftp.root, 'in')).sort();
    expect(files).toEqual(['TU-2024-11-NORTHWIND-TRADERS-USD-v1.csv', 'TU-2024-11-NORTHWIND-TRADERS-USD-v1.xlsx']);
    expect(fs.readFileSync(path.join(ftp.root, 'in', files[0]!), 'utf8')).toBe(
      'Invoice,Customer,Month,User,Expense Type,Amount,Currency\r\nTU-2024-11-NORTHWIND-TRADERS-USD,Northwind Traders,2024-11,alice@northwind.test,TUITION,1200.00,USD\r\nTU-2024-11-NORTHWIND-TRADERS-USD,Northwind Traders,2024-11,bob@northwind.test,TUTORING,60.00,USD\r\n',
    );
    expect(done.receipts.map((r: { fileName: string; protocol: string }) => [r.fileName, r.protocol])).toEqual([
      ['TU-2024-11-NORTHWIND-TRADERS-USD-v1.csv', 'ftp'],
      ['TU-2024-11-NORTHWIND-TRADERS-USD-v1.xlsx', 'ftp'],
    ]);
    const audit = (await app.ctx.audit.recent({ subjectType: 'tuition-invoice', subjectId: id })).map((e) => e.action).reverse();
    expect(audit).toEqual(['tuition.invoice-drafted', 'tuition.sent-for-approval', 'tuition.approved', 'tuition.delivered']);
    expect((await app.ctx.audit.verify()).ok).toBe(true);
  });

  test('a denied invoice is never delivered; the reason reaches the preparer', async () => {
    const id = ids['CONTOSO-LTD-USD']!;
    const link = await send(id);
    const hash = hiddenHash((await app.inject({ method: 'GET', url: link })).body);
    const r = await app.inject({ method: 'POST', url: link, ...form({ decision: 'denied', shownHash: hash, reason: 'Dina left in October', approver: 'Pat <pat@contoso.test>' }) });
    expect(r.statusCode).toBe(200);
    expect(r.body).toContain('Dina left in October');
    expect(r.body).not.toContain('<pat@');
    const inv = await invoice(id);
    // a name typed into the form counts for nothing: the decision is the approver the link was e-mailed to
    expect(inv).toMatchObject({ state: 'denied', decision: { decision: 'denied', reason: 'Dina left in October', by: 'customer:finance@contoso.test', recipient: 'finance@contoso.test' } });
    expect(inv.decision.byId).toBe('urn:closedesk:tuition-approval-link#finance@contoso.test');
    const d = await app.inject({ method: 'POST', url: `/api/tuition/invoices/${id}/deliver`, headers: as('bob') });
    expect(d.statusCode).toBe(409);
    const resend = await app.inject({ method: 'POST', url: `/api/tuition/invoices/${id}/send`, headers: as('alice'), payload: {} });
    expect(resend.statusCode).toBe(409);
    expect(resend.json().error.message).toContain('Dina left in October');
    expect(fs.readdirSync(sftpInbox).filter((f) => f.includes('CONTOSO-LTD-USD'))).toEqual([]);
  });

  test('the other currency of the same customer is a separate invoice, delivered by SFTP in the customer layout', async () => {
    const id = ids['CONTOSO-LTD-EUR']!;
    const link = await send(id);
    const hash = hiddenHash((await app.inject({ method: 'GET', url: link })).body);
    expect((await app.inject({ method: 'POST', url: link, ...form({ decision: 'approved', shownHash: hash }) })).statusCode).toBe(200);
    const done = await settled(id);
    expect(done.state).toBe('delivered');
    expect(done.receipts[0]).toMatchObject({ protocol: 'sftp', serverFingerprint: sshd.hostFingerprint });
    expect(fs.readFileSync(path.join(sftpInbox, 'TU-2024-11-CONTOSO-LTD-EUR-v1.csv'), 'utf8')).toBe('Mitarbeiter;Art;Betrag\r\ncarl@contoso.test;Studiengebuehr;900.00\r\n');
    expect(fs.statSync(path.join(sftpInbox, 'TU-2024-11-CONTOSO-LTD-EUR-v1.xlsx')).size).toBeGreaterThan(1000);
  });

  test('an edit after approval makes a new version and voids the approval; the old link is dead', async () => {
    const id = ids['FABRIKAM-INC-USD']!; // no delivery target: stays approved
    const link = await send(id);
    const hash = hiddenHash((await app.inject({ method: 'GET', url: link })).body);
    expect((await app.inject({ method: 'POST', url: link, ...form({ decision: 'approved', shownHash: hash }) })).statusCode).toBe(200);
    expect((await invoice(id)).state).toBe('approved');
    const noTarget = await app.inject({ method: 'POST', url: `/api/tuition/invoices/${id}/deliver`, headers: as('alice') });
    expect(noTarget.json().error.code).toBe('no-delivery-target');

    const stale = await app.inject({ method: 'PUT', url: `/api/tuition/invoices/${id}/lines`, headers: as('alice'), payload: { expectedVersion: 9, lines: [{ user: 'erin@fabrikam.test', expenseType: 'TUITION', cents: 25000 }] } });
    expect(stale.statusCode).toBe(409);
    const edit = await app.inject({ method: 'PUT', url: `/api/tuition/invoices/${id}/lines`, headers: as('alice'), payload: { expectedVersion: 1, lines: [{ user: 'erin@fabrikam.test', expenseType: 'TUITION', cents: 25000 }] } });
    expect(edit.statusCode).toBe(200);
    expect(edit.json().invoice).toMatchObject({ version: 2, state: 'draft', decision: null, totalCents: 25000 });
    expect(edit.json().invoice.hash).not.toBe(hash);
    expect((await app.inject({ method: 'GET', url: link })).statusCode).toBe(410);
    const revised = (await app.ctx.audit.recent({ subjectType: 'tuition-invoice', subjectId: id }))[0]!;
    expect(revised).toMatchObject({ action: 'tuition.invoice-revised', details: { fromVersion: 1, version: 2, previousState: 'approved', approvalVoided: true } });

    // A link to version 1 sent before the edit cannot approve version 2.
    const link2 = await send(id);
    const v2 = await app.inject({ method: 'PUT', url: `/api/tuition/invoices/${id}/lines`, headers: as('alice'), payload: { expectedVersion: 2, lines: [{ user: 'erin@fabrikam.test', expenseType: 'TUITION', cents: 24000 }] } });
    expect(v2.json().invoice.version).toBe(3);
    const old = await app.inject({ method: 'GET', url: link2 });
    expect(old.statusCode).toBe(410);
    expect(old.body).toContain('was changed after this link was sent');
  });

  test('an expired link is refused', async () => {
    const deps: TuitionDeps = { store: t.store, audit: app.ctx.audit, secrets: app.ctx.secrets, masterKey: config.masterKey, mailer: mail.mailer, publicOrigin: PUBLIC_ORIGIN };
    const sent = await sendForApproval(deps, ids['FABRIKAM-INC-USD']!, user('alice', ['preparer']), { validForMs: -1000 });
    const r = await app.inject({ method: 'GET', url: `/tuition/approve/${await mail.linkTo('ap@fabrikam.test', sent.invoice.number)}` });
    expect(r.statusCode).toBe(410);
    expect(r.body).toContain('This link has expired');
  });

  test('decisions and links survive a restart', async () => {
    const id = ids['FABRIKAM-INC-USD']!;
    const link = await send(id);
    await app.close();
    await start();
    expect((await invoice(ids['NORTHWIND-TRADERS-USD']!)).state).toBe('delivered');
    expect((await invoice(ids['CONTOSO-LTD-USD']!)).state).toBe('denied');
    const page = await app.inject({ method: 'GET', url: link });
    expect(page.statusCode).toBe(200);
    const ok = await app.inject({ method: 'POST', url: link, ...form({ decision: 'approved', shownHash: hiddenHash(page.body) }) });
    expect(ok.statusCode).toBe(200);
    expect(await invoice(id)).toMatchObject({ state: 'approved', version: 3, decision: { version: 3 } });

    // An approved invoice that could not be delivered (no target then) is delivered after the next start.
    expect((await app.inject({ method: 'PUT', url: '/api/tuition/customers', headers: as('root'), payload: { name: 'Fabrikam Inc', delivery: { method: 'partner', partnerId: ftpPartnerId } } })).statusCode).toBe(200);
    await app.close();
    await start();
    expect(await settled(id)).toMatchObject({ state: 'delivered', version: 3 });
    expect(fs.readdirSync(path.join(ftp.root, 'in'))).toContain('TU-2024-11-FABRIKAM-INC-USD-v3.csv');
    expect(fs.readdirSync(path.join(ftp.root, 'in')).filter((f) => f.includes('FABRIKAM') && !f.includes('-v3.'))).toEqual([]);
  });

  test('a preparer named as the approver cannot approve her own invoice; a link outlives no change of approver', async () => {
    const adatum = [['BP-7', 'Adatum Corp', 'finn@adatum.test', 'Tutoring', '80.00', 'USD', '12/02/2024']];
    const made = await app.inject({ method: 'POST', url: '/api/tuition/invoices', headers: as('pat'), payload: { month: '2024-12', tables: [table(adatum)] } });
    expect(made.statusCode).toBe(201);
    const id: string = made.json().created[0].id;
    const put = (approverEmail: string) => app.inject({ method: 'PUT', url: '/api/tuition/customers', headers: as('root'), payload: { name: 'Adatum Corp', approverEmail } });

    // No approver set: nothing to send, and the sentence names the screen.
    const none = await app.inject({ method: 'POST', url: `/api/tuition/invoices/${id}/send`, headers: as('pat'), payload: {} });
    expect(none.statusCode).toBe(409);
    expect(none.json().error.message).toContain('Settings → Delivery targets');

    // The preparer's own address (any case) as approver: refused before any link exists.
    expect((await put('PAT@adatum.test')).statusCode).toBe(200);
    const before = mail.count('pat@adatum.test');
    const own = await app.inject({ method: 'POST', url: `/api/tuition/invoices/${id}/send`, headers: as('pat'), payload: {} });
    expect(own.statusCode).toBe(403);
    expect(own.json().error.code).toBe('maker-checker');
    expect(mail.count('pat@adatum.test')).toBe(before);

    // A link e-mailed to the real approver; the admin then names the preparer: the link no longer decides.
    expect((await put('ap@adatum.test')).statusCode).toBe(200);
    const sent = await app.inject({ method: 'POST', url: `/api/tuition/invoices/${id}/send`, headers: as('pat'), payload: {} });
    expect(sent.statusCode).toBe(200);
    const link = `/tuition/approve/${await mail.linkTo('ap@adatum.test', 'TU-2024-12-ADATUM-CORP-USD')}`;
    const hash = hiddenHash((await app.inject({ method: 'GET', url: link })).body);
    expect((await put('pat@adatum.test')).statusCode).toBe(200);
    const refused = await app.inject({ method: 'POST', url: link, ...form({ decision: 'approved', shownHash: hash }) });
    expect(refused.statusCode).toBe(410);
    expect(refused.body).toContain('named another approver');
    expect((await invoice(id)).state).toBe('awaiting_approval');
  });
});
