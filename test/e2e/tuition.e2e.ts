/**
 * The Tuition flow end to end at the task pane's width (350 px), on the demo data, against the real
 * server with a real SMTP catcher and the demo FTP target on loopback: alice (preparer) builds the
 * month from the two partner files (one learner however each partner writes her), stores the
 * drafts and sends Northwind's invoice for approval — the server e-mails the link to the customer's
 * approver (the demo's, set up by the server with no admin step) and alice's pane never holds it. The approver signs in as her address in a
 * second browser, finds the e-mail in her demo mailbox, opens the link and approves. The invoice goes
 * to the customer's delivery target, and alice's pane shows it delivered without a reload.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startMailCatcher, type MailCatcher } from '../../server/dev/mail-catcher';
import { startDemoFtpTarget, type DemoFtpTarget } from '../../server/dev/demo-ftp-target';
import { generateDemoData } from '../../scripts/generate-demo-data';
import { CHROMIUM, CHROMIUM_ARGS, OFFICE_STUB, TASK_PANE_WIDTH, expectText, openPage, openSignedIn, startHarness, type Harness } from './harness';
import { expectFitsPane } from './layout';
import { freePort } from './server';

const NUMBER = 'TU-2024-11-NORTHWIND-TRADERS-USD';
const APPROVER = 'ap@northwind.test';

let catcher: MailCatcher;
let ftp: DemoFtpTarget;
let ftpDir: string;
let h: Harness;
let browser: Browser;
let approver: { context: BrowserContext; page: Page };
const approverOffMachine: string[] = [];

beforeAll(async () => {
  catcher = await startMailCatcher({ port: 0 });
  ftpDir = mkdtempSync(join(tmpdir(), 'closedesk-tuition-e2e-ftp-'));
  // Before the server: it registers the running demo target as a partner when it starts.
  ftp = await startDemoFtpTarget(ftpDir, { port: 0 });
  const port = await freePort();
  h = await startHarness({
    port,
    prepareDatasets: (dir) => generateDemoData(dir),
    env: { SMTP_HOST: catcher.host, SMTP_PORT: String(catcher.port), CLOSEDESK_PUBLIC_ORIGIN: `http://127.0.0.1:${port}` },
  });
  // Zero setup: as with `npm start`, the demo's customers come with the demo approver's address and the
  // demo FTP target as their delivery target (server/jobs/tuition/demo.ts); nothing is set here.
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  const context = await browser.newContext({ viewport: { width: TASK_PANE_WIDTH, height: 900 } });
  await context.addInitScript(OFFICE_STUB);
  await context.route(
    (url) => url.origin !== h.server.origin,
    (route) => {
      approverOffMachine.push(route.request().url());
      return route.abort('blockedbyclient');
    },
  );
  approver = { context, page: await context.newPage() };
});

afterAll(async () => {
  await browser?.close();
  await h?.close();
  await ftp?.close();
  await catcher?.close();
  if (ftpDir) rmSync(ftpDir, { recursive: true, force: true });
});

test('demo data → invoices → e-mailed to the approver → approved from her mailbox → delivered, followed live at 350 px', async () => {
  const { page } = h;
  await openSignedIn(h, 'alice', 'preparer');
  const region = await openPage(page, 'Tuition');
  await region.getByRole('radio', { name: 'Datasets on the server' }).check();
  await region.getByRole('checkbox', { name: /brightpath-2024-11/ }).check();
  await region.getByRole('checkbox', { name: /learnwell-2024-11/ }).check();
  await region.getByTestId('tu-build').click();
  await expectText(region.getByTestId('tu-outcome'), '3 invoices for 2024-11 (the latest month in the files)');
  const built = region.getByTestId('tu-built');
  await expectText(built, 'Northwind Traders');
  await expectFitsPane(page, 'tuition-built');

  await region.getByTestId('tu-store').click();
  await expectText(region.getByTestId('tu-notice'), '3 new, 0 changed (new version), 0 unchanged.');
  const card = region.getByTestId(`tu-invoice-${NUMBER}`);
  await expectText(card.getByTestId('tu-state'), 'Draft: send it for approval.');
  await card.getByTestId('tu-send').click();
  await expectText(region.getByTestId('tu-notice'), `The approval link for ${NUMBER} was e-mailed to a***@northwind.test, Northwind Traders's approver.`);
  await expectText(card.getByTestId('tu-state'), "Awaiting Northwind Traders's approval (version 1). The link was e-mailed to a***@northwind.test");
  // The preparer's pane never holds the link.
  expect(await page.content()).not.toContain('/tuition/approve/');
  await expectFitsPane(page, 'tuition-sent');

  // The approver, in her own browser, signed in as her address: her demo mailbox has the e-mail.
  await openSignedIn({ page: approver.page, server: h.server }, APPROVER, 'approver');
  const inbox = await openPage(approver.page, 'Tuition');
  const mail = inbox.getByTestId('tu-mail').filter({ hasText: NUMBER });
  await mail.waitFor();
  await expectFitsPane(approver.page, 'tuition-approver-mailbox');
  const [approval] = await Promise.all([approver.context.waitForEvent('page'), mail.getByTestId('tu-mail-link').click()]);
  await approval.getByRole('heading', { level: 1, name: `Tuition invoice ${NUMBER}` }).waitFor();
  await approval.getByText(`You decide as ${APPROVER}`).waitFor();
  await approval.getByRole('button', { name: 'Approve invoice' }).click();
  await approval.getByRole('heading', { name: `Invoice ${NUMBER} approved` }).waitFor();
  await approval.close();

  // alice's pane follows: delivered to the demo FTP target.
  await expectText(card.getByTestId('tu-state'), `Delivered: ${NUMBER}-v1.csv → FTP`, 60_000);
  expect(readdirSync(ftp.dir).sort()).toEqual([`${NUMBER}-v1.csv`, `${NUMBER}-v1.xlsx`]);
  await expectFitsPane(page, 'tuition-delivered');

  // A preparer reading the demo mailbox sees no one else's mail.
  expect(await page.content()).not.toContain('/tuition/approve/');
  expect(h.blockedRequests.filter((u) => !u.includes('appsforoffice'))).toEqual([]);
  expect(approverOffMachine.filter((u) => !u.includes('appsforoffice'))).toEqual([]);
});
