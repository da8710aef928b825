/**
 * The Vendor returns page at a 350 px task pane on the demo data, against the real server: the
 * datasets built in the pane with no period entered (the latest period the data holds, shown in the
 * field afterwards), the sheets and balances, SPURSH sent to the server and prepared for approval to
 * the partner that takes SPURSH files; bob, in his own browser, approves it in his inbox after
 * reading its first rows and sends it: the file arrives on the partner's server byte for byte and
 * alice sees it delivered; a period the data does not hold said in amber with the periods it does
 * hold; the same build on the server's own inputs.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { DEMO_PARTNER_NAME, type DemoFtpTarget } from '../../server/dev/demo-ftp-target';
import { CHROMIUM, CHROMIUM_ARGS, expectText, OFFICE_STUB, openPage, openSignedIn, startDemoHarness, TASK_PANE_WIDTH, type Harness } from './harness';
import { expectFitsPane } from './layout';

let h: Harness & { demo: DemoFtpTarget };
let bobsBrowser: Browser | undefined;
let spurshName = '';

beforeAll(async () => {
  h = await startDemoHarness();
});

afterAll(async () => {
  await bobsBrowser?.close();
  delete process.env.CLOSEDESK_VRET_INPUTS_DIR;
  delete process.env.CLOSEDESK_VRET_THR_DIR;
  await h?.close();
});

test('demo datasets, no period entered: the latest period in the data, the sheets, SPURSH prepared for approval', async () => {
  const { page } = h;
  const region = await openPage(page, 'Vendor returns');
  await region.getByRole('radio', { name: 'Datasets on the server' }).check();
  await expectText(region, 'datasets chosen');
  const period = region.getByTestId('vret-period');
  expect(await period.inputValue()).toBe('');
  await region.getByTestId('vret-build').click();

  const outcome = region.getByTestId('vret-outcome');
  await expectText(outcome, 'wrote GLDI, 20321 JE, 20321 Analysis, RVR Report, Funding by vendor.');
  await expectText(outcome, 'for 2024-11 (the latest period in the inputs)');
  expect(await outcome.getAttribute('data-intent')).toBe('success');
  expect(await period.inputValue()).toBe('2024-11');
  await expectText(region.getByTestId('vret-balances'), 'EUR · balanced');
  await expectText(region, 'funding lines.');

  await region.getByTestId('vret-send-spursh').click();
  const sent = region.getByTestId('vret-sent');
  await expectText(sent, `is prepared for approval to ${DEMO_PARTNER_NAME}; someone other than you approves it, and nothing is sent before.`);
  expect(await sent.textContent()).toMatch(/^SPURSH_Amazon\.eu_\d{8}T\d{6}-[0-9a-f]{6}\.csv \(/);
  spurshName = (await sent.textContent())!.split(' (')[0]!;
  const card = region.getByTestId('delivery-card');
  await expectText(card.getByTestId('delivery-state'), 'awaiting approval');
  await expectText(card, 'vret · 1 file');
  await expectText(card, 'Needs approval by an approver other than alice.');
  await expectText(card.getByTestId('delivery-file'), `→ ${DEMO_PARTNER_NAME} (FTP) · pending`);
  // Sent once: the button is done with this run.
  expect(await region.getByTestId('vret-send-spursh').isDisabled()).toBe(true);
  await expectFitsPane(page, 'vret-prepared');
});

test('bob approves the SPURSH file in his inbox after reading it and sends it; alice sees it delivered', async () => {
  expect(spurshName).not.toBe('');
  bobsBrowser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  const context = await bobsBrowser.newContext({ viewport: { width: TASK_PANE_WIDTH, height: 900 } });
  await context.addInitScript(OFFICE_STUB);
  await context.route((url) => url.origin !== h.server.origin, (route) => route.abort('blockedbyclient'));
  const page = await context.newPage();
  await openSignedIn({ page, server: h.server }, 'bob', 'approver');
  const inbox = await openPage(page, 'Approvals');
  const row = inbox.getByTestId('inbox-row').filter({ hasText: 'SPURSH files → partner' });
  await expectText(row, 'alice · ');
  await row.click();
  const detail = inbox.getByTestId('batch-detail');
  await expectText(detail.getByTestId('detail-rule'), 'You prepared none of it');
  // What will leave: the file's first rows under its header, before any decision.
  const file = detail.getByTestId('content-file').first();
  await expectText(file, spurshName);
  expect(await file.getByTestId('content-file-rows').locator('tbody tr').count()).toBeGreaterThan(0);
  await expectFitsPane(page, 'vret-bob-reviews-spursh');
  await detail.getByTestId('detail-approve').click();
  await expectText(detail.getByTestId('detail-state'), 'approved');
  const delivery = detail.getByTestId('delivery-card');
  await delivery.getByTestId('delivery-send').click();
  await expectText(delivery.getByTestId('delivery-state'), 'done', 60_000);
  await expectText(delivery.getByTestId('delivery-receipt').first(), 'FTP 127.0.0.1');
  await expectFitsPane(page, 'vret-bob-sent-spursh');

  // On the partner's server under its final name, exactly what bob reviewed (the CSV the build wrote).
  const arrived = readdirSync(h.demo.dir).filter((f) => f.startsWith('SPURSH_'));
  expect(arrived).toEqual([spurshName]);
  expect(readFileSync(join(h.demo.dir, spurshName), 'utf8').length).toBeGreaterThan(0);

  // Alice, back on her own page, sees her batch delivered.
  const mine = await openPage(h.page, 'Approvals');
  await expectText(mine.getByTestId('inbox-row').filter({ hasText: 'SPURSH files → partner' }), 'done');
});

test('a period the data does not hold: amber, naming the periods it does hold, never a green success', async () => {
  const { page } = h;
  const region = await openPage(page, 'Vendor returns');
  await region.getByTestId('vret-period').fill('2026-11');
  await region.getByTestId('vret-build').click();
  const outcome = region.getByTestId('vret-outcome');
  await expectText(outcome.getByTestId('vret-no-rows'), 'No transactions in 2026-11 for Amazon.eu, DE; the inputs hold 2024-11.');
  expect(await outcome.getAttribute('data-intent')).toBe('warning');
  expect(await region.getByTestId('vret-balances').count()).toBe(0);
  await expectText(region, 'SPURSH is held back: the run selected no transaction.');
  expect(await region.getByTestId('vret-send-spursh').isDisabled()).toBe(true);
  await expectFitsPane(page, 'vret-no-rows');
});

test("built on the server from its own inputs folder and THR files, the period again from the data", async () => {
  const { page } = h;
  process.env.CLOSEDESK_VRET_INPUTS_DIR = join(h.datasetsDir, 'vret');
  process.env.CLOSEDESK_VRET_THR_DIR = join(h.datasetsDir, 'vret', 'thr');
  const region = await openPage(page, 'Vendor returns');
  await region.getByRole('radio', { name: 'Load on the server' }).check();
  await region.getByTestId('vret-period').fill('');
  await region.getByTestId('vret-build').click();
  const outcome = region.getByTestId('vret-outcome');
  await expectText(outcome, 'for 2024-11 (the latest period in the inputs) from the server: wrote GLDI');
  expect(await outcome.getAttribute('data-intent')).toBe('success');
  await expectText(region.getByTestId('vret-balances'), 'EUR · balanced');
  await expectFitsPane(page, 'vret-server');
  expect(h.blockedRequests.filter((u) => !u.includes('appsforoffice'))).toEqual([]);
});
