/**
 * The customer's approval page in Debian Chromium: the real server (buildApp on a temporary SQLite
 * store) on loopback; invoices are drafted and sent through the service, which e-mails the link to
 * the customer's approver (a local SMTP catcher); the approver opens the link from that e-mail.
 * Approve, deny with a reason, an expired link and a tampered link.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { chromium, type Browser, type Page } from 'playwright-core';
import { buildApp } from '../../server/app';
import { loadConfig } from '../../server/config';
import { putCustomerSettings, requireInvoice, saveInvoices, type TuitionDeps } from '../../server/jobs/tuition/invoices';
import { sendForApproval } from '../../server/jobs/tuition/approval';
import { startTestMail, type TestMail } from '../integration/tuition-mail';
import { buildTuitionInvoices, readExpenseLines } from '../../src/tuition';
import { CHROMIUM, CHROMIUM_ARGS } from './harness';
import { user } from '../integration/people';

const alice = user('alice', ['preparer']);

const HEADER = ['Invoice Ref', 'Employer', 'Employee Email', 'Charge Type', 'Charge Amount', 'Currency', 'Service Date'];
const ROWS = [
  ['BP-1', 'Northwind Traders', 'alice@northwind.test', 'Tuition', '1200.00', 'USD', '11/04/2024'],
  ['BP-2', 'Northwind Traders', 'bob@northwind.test', 'Tutoring', '60.00', 'USD', '11/05/2024'],
  ['BP-3', 'Contoso Ltd', 'carl@contoso.test', 'Tuition', '900.00', 'EUR', '11/06/2024'],
  ['BP-4', 'Fabrikam Inc', 'erin@fabrikam.test', 'Books & materials', '45.10', 'USD', '11/07/2024'],
  ['BP-5', 'Adatum Corp', 'finn@adatum.test', 'Tutoring', '80.00', 'USD', '11/08/2024'],
];

describe('tuition approval page in Chromium', () => {
  let dir: string;
  let app: FastifyInstance;
  let origin: string;
  let browser: Browser;
  let page: Page;
  let deps: TuitionDeps;
  const ids: Record<string, string> = {};
  const offMachine: string[] = [];
  let mail: TestMail;
  const APPROVERS: Record<string, string> = { 'Northwind Traders': 'ap@northwind.test', 'Contoso Ltd': 'finance@contoso.test', 'Fabrikam Inc': 'ap@fabrikam.test', 'Adatum Corp': 'ap@adatum.test' };
  /** Sends the customer's invoice for approval; the path of the link its approver received by e-mail. */
  const send = async (customer: string, options: { validForMs?: number } = {}) => {
    const sent = await sendForApproval(deps, ids[customer]!, alice, options);
    return { path: `/tuition/approve/${await mail.linkTo(APPROVERS[customer]!, sent.invoice.number)}` };
  };

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'closedesk-tuition-e2e-'));
    const config = loadConfig({ CLOSEDESK_DATA_DIR: dir, CLOSEDESK_HTTPS: 'off', HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'error', CLOSEDESK_STATIC_DIR: path.join(dir, 'no-dist') });
    app = await buildApp(config);
    await app.listen({ port: 0, host: '127.0.0.1' });
    origin = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    mail = await startTestMail(origin);
    deps = { store: app.ctx.store, audit: app.ctx.audit, secrets: app.ctx.secrets, masterKey: config.masterKey, mailer: mail.mailer, publicOrigin: origin };
    for (const [name, approverEmail] of Object.entries(APPROVERS)) await putCustomerSettings(deps, { name, approverEmail }, 'root');
    const read = readExpenseLines([{ name: 'brightpath.csv', header: HEADER, rows: ROWS }], { month: '2024-11' });
    expect(read.problems).toEqual([]);
    const saved = await saveInvoices(deps, buildTuitionInvoices(read.lines, '2024-11'), alice);
    for (const i of saved.created) ids[i.customer] = i.id;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith(origin)) return route.continue();
      offMachine.push(url);
      return route.abort();
    });
    page = await context.newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await mail?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('approve: the customer sees the exact invoice and approves it once', async () => {
    const link = await send('Northwind Traders');
    await page.goto(origin + link.path);
    await expect(page.title()).resolves.toBe('Approve tuition invoice TU-2024-11-NORTHWIND-TRADERS-USD');
    await page.getByRole('heading', { level: 1, name: 'Tuition invoice TU-2024-11-NORTHWIND-TRADERS-USD' }).waitFor();
    const table = page.getByRole('table', { name: /Lines of invoice TU-2024-11-NORTHWIND-TRADERS-USD/ });
    await expect(table.getByRole('row').count()).resolves.toBe(4); // header, 2 lines, total
    await expect(table.getByRole('row', { name: /alice@northwind\.test/ }).innerText()).resolves.toMatch(/Tuition\s+1\s+1,200\.00/);
    await expect(page.getByTestId('total').innerText()).resolves.toBe('1,260.00 USD');
    await expect(page.getByText('You decide as ap@northwind.test').count()).resolves.toBe(1);
    await page.getByRole('button', { name: 'Approve invoice' }).click();
    await page.getByRole('heading', { name: 'Invoice TU-2024-11-NORTHWIND-TRADERS-USD approved' }).waitFor();
    await expect(page.getByRole('status').innerText()).resolves.toContain('You approved invoice TU-2024-11-NORTHWIND-TRADERS-USD (version 1, 1,260.00 USD)');
    const inv = await requireInvoice(deps.store, ids['Northwind Traders']!);
    expect(inv).toMatchObject({ state: 'approved', decision: { decision: 'approved', by: 'customer:ap@northwind.test', version: 1, hash: inv.hash } });

    // Back and submit again: the link worked once.
    await page.goBack();
    await page.reload();
    await page.getByRole('heading', { name: 'This link was already used' }).waitFor();
    expect(await page.getByRole('alert').innerText()).toContain('to approve invoice TU-2024-11-NORTHWIND-TRADERS-USD');
  });

  test('deny: a reason is required, then recorded', async () => {
    const link = await send('Contoso Ltd');
    await page.goto(origin + link.path);
    await page.getByRole('button', { name: 'Deny invoice' }).click();
    // The browser keeps the form until the required reason is given: nothing was decided.
    expect(await page.getByRole('textbox', { name: 'Reason for denying (required)' }).evaluate((el) => (el as HTMLTextAreaElement).validity.valueMissing)).toBe(true);
    expect((await requireInvoice(deps.store, ids['Contoso Ltd']!)).state).toBe('awaiting_approval');
    await page.getByRole('textbox', { name: 'Reason for denying (required)' }).fill('Carl is not one of our employees <script>alert(1)</script>');
    await page.getByRole('button', { name: 'Deny invoice' }).click();
    await page.getByRole('heading', { name: 'Invoice TU-2024-11-CONTOSO-LTD-EUR denied' }).waitFor();
    expect(await page.getByRole('status').innerText()).toContain('Carl is not one of our employees <script>alert(1)</script>');
    expect(await page.locator('script').count()).toBe(0);
    expect(await requireInvoice(deps.store, ids['Contoso Ltd']!)).toMatchObject({ state: 'denied', decision: { reason: 'Carl is not one of our employees <script>alert(1)</script>' } });
  });

  test('an expired link shows a clear page and decides nothing', async () => {
    const link = await send('Fabrikam Inc', { validForMs: -60_000 });
    const r = await page.goto(origin + link.path);
    expect(r?.status()).toBe(410);
    await page.getByRole('heading', { name: 'This link has expired' }).waitFor();
    expect(await page.getByRole('alert').innerText()).toMatch(/expired on .* UTC\. Ask your billing contact to send invoice TU-2024-11-FABRIKAM-INC-USD again/);
    expect(await page.getByRole('button').count()).toBe(0);
    expect((await requireInvoice(deps.store, ids['Fabrikam Inc']!)).state).toBe('awaiting_approval');
  });

  test('a tampered link shows a clear page and decides nothing', async () => {
    const link = await send('Adatum Corp');
    const last = link.path.at(-1) === 'x' ? 'y' : 'x';
    const r = await page.goto(origin + link.path.slice(0, -1) + last);
    expect(r?.status()).toBe(404);
    await page.getByRole('heading', { name: 'This link is not valid' }).waitFor();
    expect(await page.getByRole('alert').innerText()).toContain('it was changed or was never issued by us');
    expect(await page.getByRole('button').count()).toBe(0);
    // The real link still works.
    await page.goto(origin + link.path);
    await page.getByRole('button', { name: 'Approve invoice' }).waitFor();
    expect(offMachine).toEqual([]);
  });
});
