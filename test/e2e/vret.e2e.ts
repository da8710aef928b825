/**
 * The Vendor returns page at a 350 px task pane on the demo data, against the real server: the
 * datasets built in the pane with no period entered (the latest period the data holds, shown in the
 * field afterwards), the sheets and balances, SPURSH sent to the server and prepared for approval to
 * the partner that takes SPURSH files; a period the data does not hold said in amber with the periods
 * it does hold; the same build on the server's own inputs. Approving and sending are the approvals
 * inbox's part of the flow.
 */
import { join } from 'node:path';
import { DEMO_PARTNER_NAME, type DemoFtpTarget } from '../../server/dev/demo-ftp-target';
import { expectText, openPage, startDemoHarness, type Harness } from './harness';
import { expectFitsPane } from './layout';

let h: Harness & { demo: DemoFtpTarget };

beforeAll(async () => {
  h = await startDemoHarness();
});

afterAll(async () => {
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
  const card = region.getByTestId('delivery-card');
  await expectText(card.getByTestId('delivery-state'), 'awaiting approval');
  await expectText(card, 'vret · 1 file');
  await expectText(card, 'Needs approval by an approver other than alice.');
  await expectText(card.getByTestId('delivery-file'), `→ ${DEMO_PARTNER_NAME} (FTP) · pending`);
  // Sent once: the button is done with this run.
  expect(await region.getByTestId('vret-send-spursh').isDisabled()).toBe(true);
  await expectFitsPane(page, 'vret-prepared');
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
