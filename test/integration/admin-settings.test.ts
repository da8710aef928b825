/**
 * The settings an admin keeps, through the HTTP API on SQLite and PostgreSQL, against real servers:
 * an FTP server and OpenSSH sshd for partners (key read before saving and pinned, sign-in tested),
 * delivery targets used by chargebacks, SPURSH and tuition (folder and file name included), the
 * Zoho mapping of a sandbox organisation (file loaded with its problems, export, the CLI). Only
 * admins change anything (403 for a preparer and an approver), secrets never come back, every
 * change is in the audit log.
 */
import fs from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../server/app';
import { runCli } from '../../server/cli';
import type { Config } from '../../server/config';
import { startZohoSandbox, type RunningSandbox } from '../../server/dev/zoho-sandbox';
import { readMappingFile } from '../../src/settlements/mapping-file';
import { CHARGE_ITEM_NAMES } from '../../src/settlements/mapping';
import { startFtpServer, type TestFtpServer } from '../servers/ftp';
import { startSshd, type TestSshd } from '../servers/sshd';
import { BACKENDS, openTestBackend, testConfig, type TestBackend } from './backends';
import { LogCapture } from './log-capture';
import { startTestMail, PUBLIC_ORIGIN, type TestMail } from './tuition-mail';

const FTP_PASSWORD = 'Ftp-Secret-71';
const ARN = (n: number) => `7456789012345678901234${n}`;
const record = (i: number, network: string, reason: string) => ({
  CASE_ID: `CB-${i}`, NETWORK: network, REASON_CODE: reason, AMOUNT: '25.00', CURRENCY: 'USD', TRANSACTION_DATE: '2026-10-01',
  ARN: ARN(i), MERCHANT_ID: 'M77', DUE_DATE: '2026-11-30', STATUS: 'OPEN',
});
const HEADER = ['Invoice Ref', 'Employer', 'Employee Email', 'Charge Type', 'Charge Amount', 'Currency', 'Service Date'];
const form = (fields: Record<string, string>) => ({ payload: new URLSearchParams(fields).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });

jest.setTimeout(180_000);

describe.each(BACKENDS)('admin settings on %s', (backend) => {
  let t: TestBackend;
  let config: Config;
  let app: FastifyInstance;
  let ftp: TestFtpServer;
  let sshd: TestSshd;
  let sb: RunningSandbox;
  let logs: LogCapture;
  const tokens: Record<string, string> = {};
  const as = (who: string) => ({ authorization: `Bearer ${tokens[who]}` });
  const ids: Record<string, string> = {};
  const audit = async (action: string) => (await app.ctx.audit.recent({ limit: 500 })).filter((e) => e.action === action);

  let mail: TestMail;

  beforeAll(async () => {
    t = await openTestBackend(backend);
    mail = await startTestMail();
    for (const d of ['in', 'in/visa', 'in/tuition']) fs.mkdirSync(path.join(t.dir, 'ftp', d), { recursive: true });
    ftp = await startFtpServer({ root: path.join(t.dir, 'ftp'), users: { acq: FTP_PASSWORD } });
    sshd = await startSshd(path.join(t.dir, 'sshd'));
    sb = await startZohoSandbox({ port: 0, register: true, limits: { perMinute: 1_000_000 } });
    logs = new LogCapture();
    config = testConfig(t, { LOG_LEVEL: 'trace', SMTP_HOST: mail.catcher.host, SMTP_PORT: String(mail.catcher.port), CLOSEDESK_PUBLIC_ORIGIN: PUBLIC_ORIGIN });
    app = await buildApp(config, { store: t.store, logStream: logs });
    await app.ready();
    const sign = app.ctx.auth.devIssuer!.sign;
    tokens.alice = await sign({ user: 'alice', roles: ['preparer'] });
    tokens.bob = await sign({ user: 'bob', roles: ['approver'] });
    tokens.root = await sign({ user: 'root', roles: ['admin'] });
  });
  afterAll(async () => {
    await app?.close();
    await sb?.close();
    await ftp?.close();
    await sshd?.stop();
    await mail?.close();
    await t?.cleanup();
  });

  test('partners: the SFTP key is read before saving and pinned, sign-in is tested, secrets never come back', async () => {
    const probe = await app.inject({ method: 'POST', url: '/api/partners/probe', headers: as('root'), payload: { protocol: 'sftp', host: '127.0.0.1', port: sshd.port } });
    expect(probe.json()).toEqual({ presented: sshd.hostFingerprint });
    const sftp = await app.inject({
      method: 'POST', url: '/api/partners', headers: as('root'),
      payload: { name: 'Amex SFTP', protocol: 'sftp', host: '127.0.0.1', port: sshd.port, folder: path.join(t.dir, 'sftp-in'), username: 'root', privateKey: sshd.clientKey, hostFingerprint: probe.json().presented },
    });
    expect(sftp.statusCode).toBe(201);
    ids.sftp = sftp.json().partner.id;
    const ok = await app.inject({ method: 'POST', url: `/api/partners/${ids.sftp}/test`, headers: as('root') });
    expect(ok.json()).toEqual({ ok: true, message: `Signed in to 127.0.0.1:${sshd.port} as root. The server's host key matches the pinned one.`, presented: sshd.hostFingerprint });

    const created = await app.inject({ method: 'POST', url: '/api/partners', headers: as('root'), payload: { name: 'Acquirer FTP', protocol: 'ftp', host: '127.0.0.1', port: ftp.port, folder: 'in', username: 'acq', password: 'Wrong-Pass-1' } });
    ids.ftp = created.json().partner.id;
    const refused = await app.inject({ method: 'POST', url: `/api/partners/${ids.ftp}/test`, headers: as('root') });
    expect(refused.json()).toMatchObject({ ok: false, message: expect.stringMatching(/^The FTP server refused the login/) });
    await app.inject({ method: 'PATCH', url: `/api/partners/${ids.ftp}`, headers: as('root'), payload: { password: FTP_PASSWORD } });
    expect((await app.inject({ method: 'POST', url: `/api/partners/${ids.ftp}/test`, headers: as('root') })).json()).toMatchObject({ ok: true, presented: '' });

    const tested = await audit('partner.tested');
    expect(tested.map((e) => [e.subjectId, (e.details as { ok: boolean }).ok])).toEqual([
      [ids.ftp, true],
      [ids.ftp, false],
      [ids.sftp, true],
    ]);
    const everything = [
      (await app.inject({ method: 'GET', url: '/api/partners', headers: as('alice') })).body,
      (await app.inject({ method: 'GET', url: '/api/audit?limit=500', headers: as('root') })).body,
      logs.text,
    ].join('\n');
    expect(everything).not.toContain(FTP_PASSWORD);
    expect(everything).not.toContain('Wrong-Pass-1');
    expect(everything).not.toContain(sshd.clientKey.split('\n')[1]!);
  });

  test('only an admin changes settings: a preparer and an approver get 403 and nothing changes', async () => {
    const changes = [
      { method: 'POST', url: '/api/partners', payload: { name: 'X', protocol: 'ftp', host: 'x.test', username: 'x', password: 'x' } },
      { method: 'PATCH', url: `/api/partners/${ids.ftp}`, payload: { folder: 'elsewhere' } },
      { method: 'DELETE', url: `/api/partners/${ids.ftp}` },
      { method: 'POST', url: `/api/partners/${ids.ftp}/test` },
      { method: 'POST', url: '/api/partners/probe', payload: { protocol: 'sftp', host: '127.0.0.1', port: sshd.port } },
      { method: 'PUT', url: '/api/delivery-targets', payload: { job: 'chargebacks', key: 'VISA', partnerId: ids.ftp } },
      { method: 'DELETE', url: '/api/delivery-targets?job=chargebacks&key=VISA' },
      { method: 'PUT', url: '/api/tuition/customers', payload: { name: 'Fabrikam Inc', delivery: { method: 'partner', partnerId: ids.ftp } } },
      { method: 'PUT', url: '/api/zoho/connections/zc_any/mappings', payload: { kind: 'account', key: 'Bank', zohoId: '1' } },
      { method: 'DELETE', url: '/api/zoho/connections/zc_any/mappings?kind=account&key=Bank' },
      { method: 'POST', url: '/api/zoho/connections/zc_any/mappings/file', payload: { fileName: 'm.csv', text: 'KIND,KEY,ZOHO_ID\r\n' } },
    ] as const;
    for (const who of ['alice', 'bob']) {
      for (const c of changes) {
        const r = await app.inject({ method: c.method, url: c.url, payload: 'payload' in c ? c.payload : undefined, headers: as(who) });
        expect([who, c.method, c.url, r.statusCode]).toEqual([who, c.method, c.url, 403]);
      }
    }
    // Reading is for everyone (the pages show where files go); none of it holds a secret.
    expect((await app.inject({ method: 'GET', url: '/api/delivery-targets', headers: as('alice') })).json()).toEqual({ targets: [] });
    expect((await app.inject({ method: 'GET', url: '/api/partners', headers: as('bob') })).json().partners.find((p: { id: string }) => p.id === ids.ftp)).toMatchObject({ folder: 'in', hasSecret: true });
  });

  test('delivery targets: chargebacks go to the network target (folder, file name); audited; a partner in use is kept', async () => {
    const bad = await app.inject({ method: 'PUT', url: '/api/delivery-targets', headers: as('root'), payload: { job: 'chargebacks', key: 'VISA', partnerId: ids.ftp, folder: '../x', fileNamePattern: '{customer}.csv' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toBe('The folder "../x" climbs out with "..": give the folder itself. {customer} is not a placeholder of chargebacks file names; use {file}, {name}, {ext}, {network}.');
    const first = await app.inject({ method: 'PUT', url: '/api/delivery-targets', headers: as('root'), payload: { job: 'chargebacks', key: 'visa', partnerId: ids.sftp } });
    expect(first.json().target).toMatchObject({ job: 'chargebacks', key: 'VISA', partnerName: 'Amex SFTP', version: 1 });
    const set = await app.inject({ method: 'PUT', url: '/api/delivery-targets', headers: as('root'), payload: { job: 'chargebacks', key: 'VISA', partnerId: ids.ftp, folder: 'visa', fileNamePattern: 'CB_{file}' } });
    expect(set.json().target).toMatchObject({ key: 'VISA', partnerId: ids.ftp, partnerName: 'Acquirer FTP', folder: 'visa', fileNamePattern: 'CB_{file}', version: 2 });
    const entries = await audit('delivery-target.set');
    expect(entries.map((e) => e.details)).toEqual([
      { job: 'chargebacks', key: 'VISA', label: 'VISA', partnerId: ids.ftp, partner: 'Acquirer FTP', folder: 'visa', fileNamePattern: 'CB_{file}', version: 2, previous: { partnerId: ids.sftp, partner: 'Amex SFTP', folder: '', fileNamePattern: '' } },
      { job: 'chargebacks', key: 'VISA', label: 'visa', partnerId: ids.sftp, partner: 'Amex SFTP', folder: '', fileNamePattern: '', version: 1, previous: null },
    ]);

    const resolve = async (job: string, value: string) => (await app.inject({ method: 'GET', url: `/api/delivery-targets/resolve?job=${job}&value=${encodeURIComponent(value)}`, headers: as('alice') })).json();
    expect(await resolve('chargebacks', 'visa')).toMatchObject({ ok: true, partnerId: ids.ftp, folder: 'in/visa', source: 'target' });
    expect(await resolve('chargebacks', 'AMEX')).toEqual({ ok: false, code: 'no-target', reason: 'No delivery target is set for AMEX chargeback files; an admin sets one under Settings → Delivery targets.' });

    const tables = (rows: ReturnType<typeof record>[]) => [{ name: 'Chargebacks', header: Object.keys(rows[0]!), rows: rows.map((r) => Object.values(r)) }];
    const amex = await app.inject({ method: 'POST', url: '/api/chargebacks/batches', headers: as('alice'), payload: { batch: 'B1', date: '2026-11-21', tables: tables([record(1, 'VISA', '13.1'), record(2, 'AMEX', 'C08')]) } });
    expect(amex.statusCode).toBe(409);
    expect(amex.json().error).toMatchObject({ code: 'no-delivery-target', message: 'No delivery target is set for AMEX chargeback files; an admin sets one under Settings → Delivery targets.' });
    const prep = await app.inject({ method: 'POST', url: '/api/chargebacks/batches', headers: as('alice'), payload: { batch: 'B2', date: '2026-11-21', tables: tables([record(3, 'VISA', '13.1')]) } });
    expect(prep.statusCode).toBe(201);
    expect(prep.json().items[0].request).toMatchObject({ partnerId: ids.ftp, folder: 'in/visa', fileName: 'CB_VISA_M77_20261121_B2.csv', label: 'VISA' });
    const batch = prep.json().batch;
    expect((await app.inject({ method: 'POST', url: `/api/batches/${batch.id}/approve`, headers: as('bob'), payload: { version: batch.version } })).statusCode).toBe(200);
    const sent = await app.inject({ method: 'POST', url: `/api/deliveries/${batch.id}/send?wait=true`, headers: as('bob') });
    expect(sent.json().receipts[0]).toMatchObject({ remotePath: 'in/visa/CB_VISA_M77_20261121_B2.csv' });
    expect(fs.readFileSync(path.join(ftp.root, 'in', 'visa', 'CB_VISA_M77_20261121_B2.csv'), 'utf8')).toContain(`CB-3,VISA,13.1,25.00,USD,2026-10-01,${ARN(3)},M77`);

    const inUse = await app.inject({ method: 'DELETE', url: `/api/partners/${ids.ftp}`, headers: as('root') });
    expect(inUse.statusCode).toBe(409);
    expect(inUse.json().error.message).toBe('Acquirer FTP receives VISA chargeback files; choose another partner for them under Settings → Delivery targets first.');
    const removed = await app.inject({ method: 'DELETE', url: '/api/delivery-targets?job=chargebacks&key=visa', headers: as('root') });
    expect(removed.json().removed).toMatchObject({ key: 'VISA', partnerId: ids.ftp });
    expect((await audit('delivery-target.removed')).map((e) => e.details)).toEqual([
      { job: 'chargebacks', key: 'VISA', label: 'VISA', previous: { partnerId: ids.ftp, partner: 'Acquirer FTP', folder: 'visa', fileNamePattern: 'CB_{file}' } },
    ]);
    expect((await app.inject({ method: 'DELETE', url: '/api/delivery-targets?job=chargebacks&key=visa', headers: as('root') })).statusCode).toBe(404);
  });

  test('SPURSH: saved without a target, the page is told so; once a target is set the same file is prepared, once', async () => {
    const file = { fileName: 'SPURSH_Amazon.eu_R1.csv', csv: 'LEDGER,PERIOD\r\nAmazon.eu,2024-11\r\n', ledger: 'Amazon.eu' };
    const none = await app.inject({ method: 'POST', url: '/api/vret/spursh', headers: as('alice'), payload: file });
    expect(none.json()).toMatchObject({
      fileName: file.fileName,
      delivery: null,
      waiting: 'SPURSH_Amazon.eu_R1.csv waits in the outbox: No delivery target is set for SPURSH files of Amazon.eu; an admin sets one under Settings → Delivery targets.',
    });
    const set = await app.inject({ method: 'PUT', url: '/api/delivery-targets', headers: as('root'), payload: { job: 'spursh', key: '*', partnerId: ids.ftp, fileNamePattern: '{ledger}_{file}' } });
    expect(set.json().target).toMatchObject({ key: '*', label: 'Every ledger' });
    const prepared = await app.inject({ method: 'POST', url: '/api/vret/spursh', headers: as('alice'), payload: file });
    const { delivery, waiting } = prepared.json();
    expect(waiting).toBeNull();
    expect(delivery.batch).toMatchObject({ job: 'vret', state: 'awaiting_approval', payload: { spurshFile: file.fileName, ledger: 'Amazon.eu' } });
    expect(delivery.items[0].request).toMatchObject({ partnerName: 'Acquirer FTP', fileName: 'Amazon.eu_SPURSH_Amazon.eu_R1.csv', folder: 'in', label: 'SPURSH' });
    const again = await app.inject({ method: 'POST', url: '/api/vret/spursh', headers: as('alice'), payload: file });
    expect(again.json().delivery.batch.id).toBe(delivery.batch.id);
    const batches = (await app.inject({ method: 'GET', url: '/api/deliveries?job=vret', headers: as('bob') })).json().deliveries;
    expect(batches.filter((d: { batch: { payload: { spurshFile?: string } } }) => d.batch.payload.spurshFile === file.fileName)).toHaveLength(1);
    // A different file under the same name is still refused.
    expect((await app.inject({ method: 'POST', url: '/api/vret/spursh', headers: as('alice'), payload: { ...file, csv: 'X\r\n' } })).json().error.code).toBe('spursh-exists');
  });

  test('tuition: an approved invoice without a target waits (the customer is told); setting one delivers it', async () => {
    const rows = [['BP-5', 'Fabrikam Inc', 'erin@fabrikam.test', 'Tuition', '300.00', 'USD', '11/08/2024']];
    expect((await app.inject({ method: 'PUT', url: '/api/tuition/customers', headers: as('root'), payload: { name: 'Fabrikam Inc', approverEmail: 'ap@fabrikam.test' } })).statusCode).toBe(200);
    const stored = await app.inject({ method: 'POST', url: '/api/tuition/invoices', headers: as('alice'), payload: { month: '2024-11', tables: [{ name: 'bp.csv', header: HEADER, rows }] } });
    const id = stored.json().created[0].id as string;
    expect((await app.inject({ method: 'POST', url: `/api/tuition/invoices/${id}/send`, headers: as('alice'), payload: {} })).statusCode).toBe(200);
    const link = `/tuition/approve/${await mail.linkTo('ap@fabrikam.test', 'TU-2024-11-FABRIKAM-INC-USD')}`;
    const hash = /name="shownHash" value="([0-9a-f]{64})"/.exec((await app.inject({ method: 'GET', url: link })).body)![1]!;
    const decided = await app.inject({ method: 'POST', url: link, ...form({ decision: 'approved', shownHash: hash }) });
    expect(decided.body).toContain('It will be delivered to you as soon as our billing team has set up where your invoices go; you need not do anything more.');
    expect(decided.body).not.toContain('It will be delivered to you now.');
    const waiting = (await app.inject({ method: 'GET', url: `/api/tuition/invoices/${id}`, headers: as('alice') })).json().invoice;
    expect(waiting).toMatchObject({ state: 'approved', deliveryError: null, delivery: { method: 'none', reason: "No delivery target is set for Fabrikam Inc's tuition invoices; an admin sets one under Settings → Delivery targets." } });

    const put = await app.inject({
      method: 'PUT', url: '/api/tuition/customers', headers: as('root'),
      payload: { name: 'Fabrikam Inc', approverEmail: 'ap@fabrikam.test', delivery: { method: 'partner', partnerId: ids.ftp, folder: 'tuition', fileNamePattern: '{customer}_{file}' } },
    });
    expect(put.json().customer).toMatchObject({ name: 'Fabrikam Inc', delivery: { method: 'partner', partnerId: ids.ftp }, target: { method: 'partner', partnerName: 'Acquirer FTP', description: 'Acquirer FTP, folder in/tuition, named {customer}_{file}' } });
    let inv = waiting;
    for (let i = 0; i < 600 && inv.state !== 'delivered' && !inv.deliveryError; i++) {
      await new Promise((r) => setTimeout(r, 100));
      inv = (await app.inject({ method: 'GET', url: `/api/tuition/invoices/${id}`, headers: as('alice') })).json().invoice;
    }
    expect(inv).toMatchObject({ state: 'delivered', deliveryError: null });
    expect(fs.readdirSync(path.join(ftp.root, 'in', 'tuition')).sort()).toEqual(['Fabrikam-Inc_TU-2024-11-FABRIKAM-INC-USD-v1.csv', 'Fabrikam-Inc_TU-2024-11-FABRIKAM-INC-USD-v1.xlsx']);
    const settings = (await audit('tuition.customer-settings')).map((e) => e.details as { delivery: unknown; file?: unknown });
    expect(settings[0]).toEqual(expect.objectContaining({ delivery: { method: 'partner', partnerId: ids.ftp }, file: { folder: 'tuition', fileNamePattern: '{customer}_{file}' } }));
    const targets = (await app.inject({ method: 'GET', url: '/api/delivery-targets', headers: as('alice') })).json().targets;
    expect(targets.filter((x: { job: string }) => x.job === 'tuition')).toEqual([expect.objectContaining({ key: 'fabrikam inc', label: 'Fabrikam Inc', partnerId: ids.ftp, folder: 'tuition' })]);
  });

  test('Zoho mapping: entries picked from the organisation, a file loaded (its problems named), exported, used by the CLI', async () => {
    const conn = await app.inject({
      method: 'POST', url: '/api/zoho/connections', headers: as('root'),
      payload: { name: 'Demo books', dataCentre: 'com', clientId: '1000.DEMO', clientSecret: 'demo-client-secret-9', grantCode: '1000.grant.admin', useLocalSandbox: true },
    });
    expect(conn.statusCode).toBe(201);
    const cid = conn.json().connection.id as string;
    const lists = (await app.inject({ method: 'GET', url: `/api/zoho/connections/${cid}/lists`, headers: as('root') })).json();
    const account = (n: string) => lists.accounts.find((a: { account_name: string }) => a.account_name === n).account_id as string;

    const one = await app.inject({ method: 'PUT', url: `/api/zoho/connections/${cid}/mappings`, headers: as('root'), payload: { kind: 'account', key: 'Amazon Sales', zohoId: account('Amazon Sales'), zohoName: 'Amazon Sales' } });
    expect(one.json().entry).toMatchObject({ kind: 'account', key: 'Amazon Sales', zohoId: account('Amazon Sales') });
    expect((await app.inject({ method: 'PUT', url: `/api/zoho/connections/${cid}/mappings`, headers: as('root'), payload: { kind: 'charge-item', key: 'Freight', zohoId: '1' } })).statusCode).toBe(400);
    expect((await app.inject({ method: 'PUT', url: `/api/zoho/connections/${cid}/mappings`, headers: as('root'), payload: { kind: 'account', key: 'Bank', zohoId: 460000000000101 } })).statusCode).toBe(400);

    const bad = await app.inject({
      method: 'POST', url: `/api/zoho/connections/${cid}/mappings/file`, headers: as('root'),
      payload: { fileName: 'bad.csv', text: 'KIND,KEY,ZOHO_ID\r\naccount,Bank,1.2E+17\r\nledger,Bank,1\r\n' },
    });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().error.details.problems.map((p: { source: string; row: number; column: string; value: string }) => [p.source, p.row, p.column, p.value])).toEqual([
      ['bad.csv', 2, 'ZOHO_ID', '1.2E+17'],
      ['bad.csv', 3, 'KIND', 'ledger'],
    ]);
    const foreign = await app.inject({ method: 'POST', url: `/api/zoho/connections/${cid}/mappings/file`, headers: as('root'), payload: { fileName: 'other-org.csv', text: 'KIND,KEY,ZOHO_ID\r\naccount,Bank,460000000000113\r\n' } });
    expect(foreign.statusCode).toBe(422);
    expect(foreign.json().error.details.problems).toEqual([
      expect.objectContaining({ source: 'other-org.csv', row: 2, column: 'ZOHO_ID', value: '460000000000113', code: 'mapping-not-in-zoho', message: 'CloseDesk Demo Books has no account with id 460000000000113 (for "Bank"); pick one of its own.' }),
    ]);

    // The whole mapping from the organisation's own names, as an admin would prepare it in a spreadsheet.
    const item = (n: string) => lists.items.find((i: { name: string }) => i.name === n).item_id as string;
    const rows = [
      ...lists.accounts.map((a: { account_name: string; account_id: string }) => `account,${a.account_name},${a.account_id}`),
      ...lists.items.filter((i: { sku?: string }) => i.sku).map((i: { sku: string; item_id: string }) => `item,${i.sku},${i.item_id}`),
      ...Object.entries(CHARGE_ITEM_NAMES).map(([charge, name]) => `charge-item,${charge},${item(name)}`),
      ...lists.contacts.map((c: { contact_name: string; contact_id: string }) => `customer,${c.contact_name},${c.contact_id}`),
    ];
    const text = ['KIND,KEY,ZOHO_ID', ...rows].join('\r\n');
    const loaded = await app.inject({ method: 'POST', url: `/api/zoho/connections/${cid}/mappings/file`, headers: as('root'), payload: { fileName: 'demo-books.csv', text, replace: true } });
    expect(loaded.statusCode).toBe(200);
    expect(loaded.json()).toMatchObject({ set: rows.length, removed: 0, problems: [] });
    expect(loaded.json().entries.find((e: { key: string }) => e.key === 'SKU-RED-MUG')).toMatchObject({ kind: 'item', zohoId: item('Red mug'), zohoName: 'Red mug' });
    expect((await audit('zoho.mapping-loaded')).map((e) => e.details)).toEqual([expect.objectContaining({ fileName: 'demo-books.csv', set: rows.length, removed: 0, replace: true })]);

    const exported = (await app.inject({ method: 'GET', url: `/api/zoho/connections/${cid}/mappings/export`, headers: as('alice') })).json();
    expect(exported.fileName).toBe('zoho-mapping-Demo-books.csv');
    const back = readMappingFile(exported.fileName, exported.csv);
    expect(back.problems).toEqual([]);
    expect(back.entries).toHaveLength(rows.length);
    expect(exported.csv.split('\r\n')[0]).toBe('KIND,KEY,ZOHO_ID,ZOHO_NAME');

    const removed = await app.inject({ method: 'DELETE', url: `/api/zoho/connections/${cid}/mappings?kind=customer&key=amazon.de`, headers: as('root') });
    expect(removed.json().removed).toMatchObject({ kind: 'customer', key: 'Amazon.de' });
    expect((await audit('zoho.mapping-removed')).map((e) => e.details)).toEqual([{ kind: 'customer', key: 'Amazon.de', zohoId: lists.contacts[1].contact_id }]);
    expect((await audit('zoho.mapping-set')).map((e) => e.details)).toEqual([{ kind: 'account', key: 'Amazon Sales', zohoId: account('Amazon Sales'), zohoName: 'Amazon Sales', previous: null }]);

    // The CLI reads the stored mapping from the store (nothing is sent to Zoho).
    const out = new PassThrough();
    const err = new PassThrough();
    let e = '';
    err.on('data', (d) => (e += d));
    out.resume();
    const fixture = path.join(__dirname, '..', 'fixtures', 'settlements', 'v2-us.txt');
    const env = { CLOSEDESK_DATA_DIR: t.dir, DATABASE_URL: t.databaseUrl, CLOSEDESK_MASTER_KEY: Buffer.alloc(32, 3).toString('base64'), LOG_LEVEL: 'silent' };
    const code = await runCli(['settlements', fixture, '--out', 'cli-out', '--connection', 'demo books'], { out, err, env, cwd: t.dir });
    expect([code, e.split('\n')[0]]).toEqual([0, `Zoho ids: ${rows.length - 1} entries of the stored mapping of Demo books.`]);
    const documents = JSON.parse(fs.readFileSync(path.join(t.dir, 'cli-out', 'documents.json'), 'utf8')) as { kind: string; body: { customer_id?: string } }[];
    const invoices = documents.filter((d) => d.kind === 'invoice');
    expect(invoices.length).toBeGreaterThan(0);
    expect(new Set(invoices.map((d) => d.body.customer_id))).toEqual(new Set([lists.contacts[0].contact_id]));
    const unknown = await runCli(['settlements', fixture, '--out', 'cli-out', '--connection', 'Other books'], { out, err, env, cwd: t.dir });
    expect(unknown).toBe(2);
    expect(e).toContain('There is no Zoho connection "Other books"; the connections are Demo books.');

    // Removing the connection removes its mapping: the ids belong to that organisation.
    expect((await app.inject({ method: 'DELETE', url: `/api/zoho/connections/${cid}`, headers: as('root') })).statusCode).toBe(200);
    expect(await t.store.query('SELECT * FROM zoho_mappings WHERE connection_id = $1', [cid])).toEqual([]);
    expect(logs.text).not.toContain('demo-client-secret-9');
  });
});
