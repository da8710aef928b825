/**
 * The Tuition page's logic: the engine on workbook sheets, invoice sheets written through a
 * WorkbookPort, and the flow through the task pane's ApiClient against the real backend on loopback:
 * datasets built on the server, drafts stored, an approval link the customer uses, states followed.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { tableFromValues, type Table } from '../../../src/kernel/table';
import type { WorkbookPort } from '../../../src/workbook/port';
import type { SheetSpec } from '../../../src/workbook/sheet-spec';
import { writeSheets } from '../../../src/workbook/write-sheets';
import { buildApp } from '../../../server/app';
import { loadConfig } from '../../../server/config';
import { ApiClient } from '../../api';
import {
  buildFromDatasets,
  buildFromSheets,
  canDeliverAgain,
  canSend,
  candidateSheets,
  describeState,
  hasAmbiguousLearners,
  learnerRulesFromServer,
  listInvoices,
  sendForApproval,
  storeDrafts,
  type InvoiceView,
} from './tuition-run';
import { user } from '../../../test/integration/people';
import { startTestMail, type TestMail } from '../../../test/integration/tuition-mail';
import { putCustomerSettings } from '../../../server/jobs/tuition/invoices';

const alice = user('alice', ['preparer']);

const BP = ['Invoice Ref', 'Employer', 'Employee Email', 'Charge Type', 'Charge Amount', 'Currency', 'Service Date'];

function memoryWorkbook(initial: Record<string, Table>): WorkbookPort & { written: SheetSpec[] } {
  const sheets = new Map(Object.entries(initial));
  const written: SheetSpec[] = [];
  return {
    written,
    async listSheets() {
      return [...sheets.keys(), ...written.map((w) => w.name)];
    },
    async readSheet(name) {
      const t = sheets.get(name);
      if (!t) throw new Error(`no sheet ${name}`);
      return t;
    },
    async writeSheet(spec, o) {
      written.push(spec);
      o?.onProgress?.({ sheet: spec.name, rowsWritten: spec.rows.length, rowsTotal: spec.rows.length });
    },
  };
}

describe('tuition page logic', () => {
  let dir: string;
  let app: FastifyInstance;
  let api: ApiClient;
  let origin: string;
  let mail: TestMail;

  beforeAll(async () => {
    mail = await startTestMail('http://127.0.0.1:9');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'closedesk-tuition-tp-'));
    fs.mkdirSync(path.join(dir, 'datasets'));
    fs.writeFileSync(path.join(dir, 'datasets', 'brightpath-2024-11.csv'), [BP.join(','), 'BP-1,Contoso Ltd,a@contoso.test,Tuition,100.00,USD,11/02/2024', 'BP-2,Contoso Ltd,a@contoso.test,Lunch,5.00,USD,11/02/2024'].join('\r\n'));
    const config = loadConfig({ CLOSEDESK_DATA_DIR: dir, CLOSEDESK_DATASETS_DIR: path.join(dir, 'datasets'), CLOSEDESK_HTTPS: 'off', LOG_LEVEL: 'silent', PORT: '0',
      SMTP_HOST: mail.catcher.host, SMTP_PORT: String(mail.catcher.port), CLOSEDESK_PUBLIC_ORIGIN: mail.publicOrigin }, dir);
    app = await buildApp(config);
    const { ctx } = app;
    await putCustomerSettings({ store: ctx.store, audit: ctx.audit, secrets: ctx.secrets, masterKey: ctx.config.masterKey }, { name: 'Northwind Traders', approverEmail: 'cfo@northwind.test' }, 'root');
    await app.listen({ port: 0, host: '127.0.0.1' });
    origin = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    const token = await app.ctx.auth.devIssuer!.sign({ user: 'alice', roles: ['preparer'] });
    api = new ApiClient({ baseUrl: origin, getToken: async () => token });
  });
  afterAll(async () => {
    await app?.close();
    await mail?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('picks partner sheets, not its own; the default month is the latest the lines are dated in, never the clock', async () => {
    expect(candidateSheets(['Tuition Invoices', 'BrightPath Nov', 'Tuition Lines'])).toEqual(['BrightPath Nov']);
    const rows = [BP, ['BP-1', 'Contoso Ltd', 'a@contoso.test', 'Tuition', 10, 'USD', '10/30/2024'], ...Array.from({ length: 70 }, (_, i) => [`BP-${i + 2}`, 'Contoso Ltd', 'a@contoso.test', 'Tuition', 10, 'USD', '11/02/2024'])];
    const wb = memoryWorkbook({ BP: tableFromValues('BP', rows) });
    const latest = await buildFromSheets(wb, ['BP'], '');
    expect([latest.month, latest.monthFromData, latest.noRows]).toEqual(['2024-11', true, null]);
    // The October line is a problem of its own in November's build.
    expect(latest.problems.map((p) => [p.code, p.row])).toEqual([['outside-month', 2]]);
    // A month no line is dated in: one warning with the months the sheets hold, not 71 blocking problems.
    const wrong = await buildFromSheets(wb, ['BP'], '2026-11');
    expect(wrong.problems).toMatchObject([{ severity: 'warning', code: 'no-lines-in-month', message: 'No expense lines in 2026-11; the inputs hold 2024-10 to 2024-11.' }]);
    expect([wrong.noRows, wrong.blocked, wrong.invoices]).toEqual(['No expense lines in 2026-11; the inputs hold 2024-10 to 2024-11.', false, []]);
  });

  test('sheets → invoices written as sheets → drafts → approval link → the customer approves → state followed', async () => {
    const wb = memoryWorkbook({
      'BrightPath Nov': tableFromValues('BrightPath Nov', [BP, ['BP-7', 'Northwind Traders', 'n@northwind.test', 'Tutoring', 40.5, 'USD', '11/03/2024']]),
      LearnWell: tableFromValues('LearnWell', [
        ['Reference', 'Company', 'Learner', 'Expense Type', 'Amount', 'Currency', 'Date'],
        ['LW1', 'Northwind Traders', 'm@northwind.test', 'TUITION', 200, 'USD', '2024-11-04'],
      ]),
    });
    const out = await buildFromSheets(wb, ['BrightPath Nov', 'LearnWell'], '2024-11');
    expect(out.problems).toEqual([]);
    expect(out.invoices.map((i) => [i.number, i.totalCents])).toEqual([['TU-2024-11-NORTHWIND-TRADERS-USD', 24050]]);
    await writeSheets(wb, out.sheets);
    expect(wb.written.map((s) => s.name)).toEqual(['Tuition Invoices', 'Tuition Lines']);

    const saved = await storeDrafts(api, out);
    expect(saved.created.map((i) => i.state)).toEqual(['draft']);
    let [inv] = await listInvoices(api, '2024-11');
    expect(canSend(inv!, alice)).toBe(true);
    expect(canSend(inv!, user('bob', ['approver']))).toBe(false);
    expect(canSend(inv!, null)).toBe(false);
    expect(describeState(inv!)).toBe('Draft: send it for approval.');

    const sent = await sendForApproval(api, inv!.id);
    expect(sent).toMatchObject({ sentTo: 'c***@northwind.test', invoice: { state: 'awaiting_approval' } });
    expect(describeState(sent.invoice)).toMatch(/^Awaiting Northwind Traders's approval \(version 1\)\. The link was e-mailed to c\*\*\*@northwind\.test; it works until \d{4}-\d\d-\d\d \d\d:\d\d UTC\.$/);
    // The approver's e-mail holds the link (configured origin); the pane's answers never do.
    const url = `${origin}/tuition/approve/${await mail.linkTo('cfo@northwind.test', inv!.number)}`;
    expect(JSON.stringify(sent)).not.toContain(url.split('/').at(-1));
    const page = await fetch(url);
    const html = await page.text();
    const hash = /name="shownHash" value="([0-9a-f]{64})"/.exec(html)![1]!;
    const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ decision: 'approved', shownHash: hash }) });
    expect(r.status).toBe(200);
    [inv] = await listInvoices(api, '2024-11');
    expect(inv).toMatchObject<Partial<InvoiceView>>({ state: 'approved' });
    expect(describeState(inv!)).toBe('Approved by cfo@northwind.test; no delivery target is set for Northwind Traders: an admin sets one under Settings → Delivery targets, and it is delivered then.');
    expect(canSend(inv!, alice)).toBe(false);
    expect(canDeliverAgain(inv!, alice)).toBe(false);
  });

  test('datasets are built on the server, with their problems', async () => {
    const out = await buildFromDatasets(api, ['brightpath-2024-11.csv'], '2024-11');
    expect(out.blocked).toBe(true);
    expect(out.problems.map((p) => [p.code, p.row])).toEqual([['unknown-expense-type', 3]]);
    expect(out.invoices.map((i) => i.totalCents)).toEqual([10000]);
    await expect(storeDrafts(api, out)).rejects.toMatchObject({ status: 422 });
  });
  test('a sheet build takes the customers\' learner rules as stored: the alias an admin saved settles the ambiguous learner', async () => {
    const wb = memoryWorkbook({
      BP: tableFromValues('BP', [BP, ['BP-1', 'Adatum', 'sam@adatum.test', 'Tuition', 100, 'USD', '11/04/2024'], ['BP-2', 'Adatum', 'sam@adatum-labs.test', 'Tuition', 50, 'USD', '11/04/2024']]),
      LW: tableFromValues('LW', [
        ['Reference', 'Company', 'Learner', 'Expense Type', 'Amount', 'Currency', 'Date'],
        ['LW1', 'Adatum', 'sam', 'TUITION', 20, 'USD', '2024-11-05'],
      ]),
    });
    const before = await buildFromSheets(wb, ['BP', 'LW'], '2024-11', await learnerRulesFromServer(api));
    expect(hasAmbiguousLearners(before.problems)).toBe(true);
    const { ctx } = app;
    await putCustomerSettings({ store: ctx.store, audit: ctx.audit, secrets: ctx.secrets, masterKey: ctx.config.masterKey }, { name: 'Adatum', learners: { aliases: { SAM: 'sam@adatum-labs.test' } } }, 'root');
    const after = await buildFromSheets(wb, ['BP', 'LW'], '2024-11', await learnerRulesFromServer(api));
    expect(hasAmbiguousLearners(after.problems)).toBe(false);
    expect(after.invoices[0]!.lines.map((l) => [l.user, l.cents])).toEqual([
      ['sam@adatum-labs.test', 7000],
      ['sam@adatum.test', 10000],
    ]);
  });
});

test('deliver again is offered only for a failed delivery of the exact version the customer approved', () => {
  const approved = {
    id: 'tui_1',
    number: 'TU-2024-11-X-USD',
    customer: 'X',
    month: '2024-11',
    currency: 'USD',
    version: 2,
    state: 'approved',
    hash: 'h2',
    totalCents: 100,
    createdBy: alice.id,
    createdByName: 'alice',
    preparers: [{ id: alice.id, name: 'alice' }],
    decision: { decision: 'approved', by: 'customer:ap@x.test', at: '2024-12-01T00:00:00Z', reason: null, version: 2, hash: 'h2' },
    deliveryError: 'the partner refused the login',
    deliveredAt: null,
    remoteId: null,
    delivery: { method: 'partner' },
    receipts: [],
  } as InvoiceView;
  expect(canDeliverAgain(approved, alice)).toBe(true);
  expect(canDeliverAgain(approved, null)).toBe(false);
  expect(canDeliverAgain({ ...approved, hash: 'h3' }, alice)).toBe(false);
  expect(canDeliverAgain({ ...approved, deliveryError: null }, alice)).toBe(false);
  expect(canDeliverAgain({ ...approved, delivery: { method: 'none' } }, alice)).toBe(false);
  expect(canSend(approved, alice)).toBe(false);
  expect(canSend({ ...approved, state: 'draft', decision: null }, alice)).toBe(true);
});
