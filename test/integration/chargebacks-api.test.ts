/**
 * Chargebacks through the HTTP API on SQLite and PostgreSQL, delivered to the demo FTP target that
 * `npm start` runs (a real FTP server on loopback): partners CRUD with write-only credentials,
 * files with problems, prepare (preparer) → approve (someone else) → send, receipts for the Activity page.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../server/app';
import { startDemoFtpTarget, DEMO_PARTNER_NAME, type DemoFtpTarget } from '../../server/dev/demo-ftp-target';
import { BACKENDS, openTestBackend, testConfig, type TestBackend } from './backends';
import { LogCapture } from './log-capture';
import { devId } from './people';

const ARN = (n: number) => `7456789012345678901234${n}`;
const record = (i: number, network: string, reason: string, over: Record<string, unknown> = {}) => ({
  CASE_ID: `CB-${i}`, NETWORK: network, REASON_CODE: reason, AMOUNT: '25.00', CURRENCY: 'USD', TRANSACTION_DATE: '2026-10-01',
  ARN: ARN(i), MERCHANT_ID: 'M77', DUE_DATE: '2026-11-30', STATUS: 'OPEN', ...over,
});

describe.each(BACKENDS)('chargebacks API on %s', (backend) => {
  let t: TestBackend;
  let app: FastifyInstance;
  let demo: DemoFtpTarget;
  let logs: LogCapture;
  const tokens: Record<string, string> = {};
  const as = (who: string) => ({ authorization: `Bearer ${tokens[who]}` });

  beforeAll(async () => {
    t = await openTestBackend(backend);
    demo = await startDemoFtpTarget(path.join(t.dir, 'ftp-target'), { port: 0 });
    logs = new LogCapture();
    const config = testConfig(t, { LOG_LEVEL: 'trace' });
    fs.mkdirSync(config.datasetsDir, { recursive: true });
    fs.writeFileSync(
      path.join(config.datasetsDir, 'cb.csv'),
      `${Object.keys(record(1, 'VISA', '13.1')).join(',')}\r\n${Object.values(record(5, 'MASTERCARD', '4808')).join(',')}\r\n`,
    );
    fs.writeFileSync(path.join(config.datasetsDir, 'chargebacks.json'), JSON.stringify([record(1, 'VISA', '13.1'), record(2, 'AMEX', 'C08')]));
    fs.writeFileSync(path.join(config.datasetsDir, 'disputes.xlsx'), 'CASE_ID,NETWORK\r\nnot a workbook\r\n');
    app = await buildApp(config, { store: t.store, logStream: logs });
    await app.ready();
    const sign = app.ctx.auth.devIssuer!.sign;
    tokens.alice = await sign({ user: 'alice', roles: ['preparer'] });
    tokens.bob = await sign({ user: 'bob', roles: ['approver'] });
    tokens.root = await sign({ user: 'root', roles: ['admin'] });
  });
  afterAll(async () => {
    await app?.close();
    await demo?.close();
    await t?.cleanup();
  });

  test('the demo FTP target is registered as a partner for every network, without its password', async () => {
    const r = await app.inject({ method: 'GET', url: '/api/partners', headers: as('alice') });
    expect(r.statusCode).toBe(200);
    const p = r.json().partners.find((x: { name: string }) => x.name === DEMO_PARTNER_NAME);
    expect(p).toMatchObject({ protocol: 'ftp', host: '127.0.0.1', port: demo.port, hasSecret: true, networks: ['VISA', 'MASTERCARD', 'AMEX', 'DISCOVER', 'SPURSH'] });
    expect(r.body).not.toContain(demo.password);
    expect((await app.inject({ method: 'POST', url: `/api/partners/${p.id}/probe`, headers: as('alice') })).statusCode).toBe(403);
    const probe = await app.inject({ method: 'POST', url: `/api/partners/${p.id}/probe`, headers: as('root') });
    expect(probe.json()).toEqual({ presented: '', pinned: null, matches: null });
  });

  test('partners: only admins change them; credentials are write-only and never logged', async () => {
    const body = { name: 'Network SFTP', protocol: 'sftp', host: 'sftp.network.test', folder: '/in', username: 'merchant77', password: 'TopSecret-42', hostFingerprint: 'SHA256:' + 'b'.repeat(43) };
    expect((await app.inject({ method: 'POST', url: '/api/partners', headers: as('alice'), payload: body })).statusCode).toBe(403);
    const created = await app.inject({ method: 'POST', url: '/api/partners', headers: as('root'), payload: body });
    expect(created.statusCode).toBe(201);
    expect(created.json().partner).toMatchObject({ name: 'Network SFTP', port: 22, hasSecret: true, auth: 'password' });
    const id = created.json().partner.id;
    const bad = await app.inject({ method: 'PATCH', url: `/api/partners/${id}`, headers: as('root'), payload: { hostFingerprint: 'MD5:aa' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toMatch(/hostFingerprint/);
    const patched = await app.inject({ method: 'PATCH', url: `/api/partners/${id}`, headers: as('root'), payload: { password: 'Even-More-Secret-43' } });
    expect(patched.json().partner.version).toBe(1); // a new password is not a new destination
    expect((await app.inject({ method: 'DELETE', url: `/api/partners/${id}`, headers: as('root') })).statusCode).toBe(200);
    const all = await app.inject({ method: 'GET', url: '/api/partners', headers: as('root') });
    expect(all.body).not.toMatch(/TopSecret-42|Even-More-Secret-43/);
    expect(logs.text).not.toMatch(/TopSecret-42|Even-More-Secret-43/);
    const audit = await app.inject({ method: 'GET', url: '/api/audit', headers: as('root') });
    expect(audit.body).not.toMatch(/TopSecret-42|Even-More-Secret-43/);
  });

  test('files with problems; a blocked batch cannot be prepared', async () => {
    const payload = { batch: 'B9', date: '2026-11-21', records: [record(1, 'VISA', '13.1'), record(2, 'VISA', '4837'), record(3, 'JCB', '13.1')] };
    const r = await app.inject({ method: 'POST', url: '/api/chargebacks/files', headers: as('alice'), payload });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ blocked: true, records: 1, files: [{ network: 'VISA', fileName: 'VISA_M77_20261121_B9.csv', records: 1 }] });
    expect(r.json().problems.map((p: { code: string; row: number }) => [p.code, p.row])).toEqual([['bad-reason-code', 3], ['unknown-network', 4]]);
    const prep = await app.inject({ method: 'POST', url: '/api/chargebacks/batches', headers: as('alice'), payload });
    expect(prep.statusCode).toBe(422);
    expect(prep.json().error.code).toBe('blocking-problems');
  });

  test('a backend dataset (JSON) is read on the server', async () => {
    const r = await app.inject({ method: 'POST', url: '/api/chargebacks/files', headers: as('alice'), payload: { dataset: 'chargebacks.json', batch: 'B1', date: '2026-11-21' } });
    expect(r.statusCode).toBe(200);
    expect(r.json().files.map((f: { fileName: string }) => f.fileName)).toEqual(['VISA_M77_20261121_B1.csv', 'AMEX_M77_20261121_B1.csv']);
    const csv = await app.inject({ method: 'POST', url: '/api/chargebacks/files', headers: as('alice'), payload: { dataset: 'cb.csv', batch: 'B2', date: '2026-11-21' } });
    expect(csv.json()).toMatchObject({ blocked: false, files: [{ fileName: 'MASTERCARD_M77_20261121_B2.csv', records: 1 }] });
    expect(csv.json().files[0].csv).toContain(ARN(5));
    const missing = await app.inject({ method: 'POST', url: '/api/chargebacks/files', headers: as('alice'), payload: { dataset: '../secrets.json', batch: 'B1', date: '2026-11-21' } });
    expect(missing.statusCode).toBe(400);
  });

  test('no date or label given: the latest transaction date of the records and B + that date; a file that is not a workbook is a problem', async () => {
    const r = await app.inject({ method: 'POST', url: '/api/chargebacks/files', headers: as('alice'), payload: { dataset: 'chargebacks.json' } });
    expect(r.json()).toMatchObject({ date: '2026-10-01', dateFromData: true, batchLabel: 'B20261001' });
    expect(r.json().files.map((f: { fileName: string }) => f.fileName)).toEqual(['VISA_M77_20261001_B20261001.csv', 'AMEX_M77_20261001_B20261001.csv']);
    const bad = await app.inject({ method: 'POST', url: '/api/chargebacks/files', headers: as('alice'), payload: { dataset: 'disputes.xlsx' } });
    expect(bad.statusCode).toBe(200);
    expect(bad.json()).toMatchObject({ blocked: true, files: [] });
    expect(bad.json().problems[0]).toMatchObject({ source: 'disputes.xlsx', code: 'bad-workbook', message: 'disputes.xlsx could not be opened: it is not an Excel workbook (.xlsx), or it is damaged. Save it as .xlsx in Excel and try again.' });
  });

  test('prepare → approve by someone else → send: one file per network arrives, with receipts', async () => {
    const payload = {
      batch: 'B10', date: '2026-11-21',
      tables: [{ name: 'Chargebacks', header: Object.keys(record(1, 'VISA', '13.1')), rows: [record(11, 'VISA', '13.1'), record(12, 'MASTERCARD', '4853'), record(13, 'DISCOVER', 'AP')].map((r) => Object.values(r) as string[]) }],
    };
    const prep = await app.inject({ method: 'POST', url: '/api/chargebacks/batches', headers: as('alice'), payload });
    expect(prep.statusCode).toBe(201);
    const { batch, items } = prep.json();
    expect(batch).toMatchObject({ state: 'awaiting_approval', preparedBy: devId('alice'), preparedByName: 'alice', job: 'chargebacks' });
    expect(items.map((i: { request: { fileName: string; label: string } }) => [i.request.label, i.request.fileName])).toEqual([
      ['VISA', 'VISA_M77_20261121_B10.csv'], ['MASTERCARD', 'MASTERCARD_M77_20261121_B10.csv'], ['DISCOVER', 'DISCOVER_M77_20261121_B10.csv'],
    ]);

    const early = await app.inject({ method: 'POST', url: `/api/deliveries/${batch.id}/send?wait=true`, headers: as('alice') });
    expect(early.statusCode).toBe(409);
    expect(fs.readdirSync(demo.dir)).toEqual([]);
    const self = await app.inject({ method: 'POST', url: `/api/batches/${batch.id}/approve`, headers: { authorization: `Bearer ${await app.ctx.auth.devIssuer!.sign({ user: 'alice', roles: ['approver'] })}` }, payload: { version: 1 } });
    expect(self.statusCode).toBe(403);
    const ok = await app.inject({ method: 'POST', url: `/api/batches/${batch.id}/approve`, headers: as('bob'), payload: { version: 1 } });
    expect(ok.statusCode).toBe(200);

    const sent = await app.inject({ method: 'POST', url: `/api/deliveries/${batch.id}/send?wait=true`, headers: as('bob') });
    expect(sent.statusCode).toBe(200);
    expect(sent.json().batch.state).toBe('done');
    expect(sent.json().approvedBy).toBe('bob');
    expect(fs.readdirSync(demo.dir).sort()).toEqual(['DISCOVER_M77_20261121_B10.csv', 'MASTERCARD_M77_20261121_B10.csv', 'VISA_M77_20261121_B10.csv']);
    expect(fs.readFileSync(path.join(demo.dir, 'VISA_M77_20261121_B10.csv'), 'utf8')).toContain(`CB-11,VISA,13.1,25.00,USD,2026-10-01,${ARN(11)},M77`);

    const list = await app.inject({ method: 'GET', url: '/api/deliveries?job=chargebacks', headers: as('alice') });
    const d = list.json().deliveries.find((x: { batch: { id: string } }) => x.batch.id === batch.id);
    expect(d.receipts).toHaveLength(3);
    expect(d.receipts[0]).toMatchObject({ fileName: 'VISA_M77_20261121_B10.csv', remotePath: 'inbox/VISA_M77_20261121_B10.csv', protocol: 'ftp', sentBy: devId('bob') });
    expect(d.receipts[0].sha256).toMatch(/^[0-9a-f]{64}$/);
    const receipts = await app.inject({ method: 'GET', url: '/api/deliveries/receipts', headers: as('bob') });
    expect(receipts.json().receipts.length).toBeGreaterThanOrEqual(3);
  });

  test('a generic delivery (e.g. a SPURSH export) goes the same way', async () => {
    const partners = (await app.inject({ method: 'GET', url: '/api/partners', headers: as('alice') })).json().partners;
    const demoId = partners.find((p: { name: string }) => p.name === DEMO_PARTNER_NAME).id;
    const r = await app.inject({
      method: 'POST', url: '/api/deliveries', headers: as('alice'),
      payload: { job: 'vret', files: [{ fileName: 'SPURSH_US_R1.csv', partnerId: demoId, text: 'LEDGER,PERIOD\r\nUS,2026-10\r\n', label: 'SPURSH' }] },
    });
    expect(r.statusCode).toBe(201);
    const id = r.json().batch.id;
    expect((await app.inject({ method: 'POST', url: `/api/batches/${id}/approve`, headers: as('bob'), payload: { version: 1 } })).statusCode).toBe(200);
    const sent = await app.inject({ method: 'POST', url: `/api/deliveries/${id}/send?wait=true`, headers: as('alice') });
    expect(sent.json().batch.state).toBe('done');
    expect(fs.readFileSync(path.join(demo.dir, 'SPURSH_US_R1.csv'), 'utf8')).toBe('LEDGER,PERIOD\r\nUS,2026-10\r\n');

    // The VRET page leaves SPURSH in <data dir>/vret/outbox; it is prepared from there the same way.
    fs.mkdirSync(path.join(t.dir, 'vret', 'outbox'), { recursive: true });
    fs.writeFileSync(path.join(t.dir, 'vret', 'outbox', 'SPURSH_EU_R2.csv'), 'LEDGER\r\nEU\r\n');
    const fromOutbox = await app.inject({ method: 'POST', url: '/api/deliveries', headers: as('alice'), payload: { job: 'vret', files: [{ fileName: 'SPURSH_EU_R2.csv', partnerId: demoId, fromOutbox: true }] } });
    expect(fromOutbox.statusCode).toBe(201);
    expect(fromOutbox.json().items[0].request).toMatchObject({ fileName: 'SPURSH_EU_R2.csv', bytes: 12 });
    const escape = await app.inject({ method: 'POST', url: '/api/deliveries', headers: as('alice'), payload: { job: 'vret', files: [{ fileName: '../master.key', partnerId: demoId, fromOutbox: true }] } });
    expect(escape.statusCode).toBe(400);
    expect(logs.text).not.toContain(demo.password);
  });
});
