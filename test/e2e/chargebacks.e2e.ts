/**
 * The Chargebacks page at a 350 px task pane on the demo records, against the real server: the
 * dataset built with no batch date or label entered (the latest transaction date of the records and
 * B + that date), four network files each with the partner the rule picks, and the batch prepared for
 * approval. Approving and sending are the approvals inbox's part of the flow.
 */
import { readdirSync } from 'node:fs';
import { DEMO_PARTNER_NAME, type DemoFtpTarget } from '../../server/dev/demo-ftp-target';
import { expectText, openPage, startDemoHarness, type Harness } from './harness';
import { expectFitsPane } from './layout';

let h: Harness & { demo: DemoFtpTarget };

beforeAll(async () => {
  h = await startDemoHarness();
});

afterAll(async () => {
  await h?.close();
});

test('demo records → four network files with their partner → batch prepared for approval', async () => {
  const { page } = h;
  const region = await openPage(page, 'Chargebacks');
  await region.getByRole('radio', { name: 'A dataset on the server' }).check();
  const select = page.getByTestId('cb-dataset');
  const option = select.locator('option', { hasText: 'chargebacks-2024-11.csv' }).first();
  await option.waitFor({ state: 'attached' });
  await select.selectOption({ value: (await option.getAttribute('value'))! });
  expect([await region.getByTestId('cb-date').inputValue(), await region.getByTestId('cb-batch').inputValue()]).toEqual(['', '']);
  await region.getByTestId('cb-build').click();

  const outcome = region.getByTestId('cb-outcome');
  await expectText(outcome, '60 valid records in 4 files');
  expect(await outcome.getAttribute('data-intent')).toBe('success');
  // The batch date is the latest transaction date of the records (October 2024 in the demo), never today.
  const text = (await outcome.textContent())!;
  const [, label, date] = /of batch (B\d{8}) dated (2024-10-\d{2}) \(the latest transaction date\)/.exec(text) ?? [];
  expect(label).toBe(`B${date!.replace(/-/g, '')}`);
  expect(await region.getByTestId('cb-date').inputValue()).toBe(date);

  const files = region.getByTestId('cb-file');
  expect(await files.count()).toBe(4);
  for (const network of ['VISA', 'MASTERCARD', 'AMEX', 'DISCOVER']) {
    await expectText(files, `${network}_M000123_${date!.replace(/-/g, '')}_${label}.csv`);
    // The only partner taking the network is chosen by the rule, with nothing to pick by hand.
    const partner = region.getByRole('combobox', { name: `Partner for ${network}` });
    expect(await partner.locator('option:checked').textContent()).toBe(DEMO_PARTNER_NAME);
  }
  await expectText(region, 'Someone other than you approves it; nothing is sent before.');
  await expectFitsPane(page, 'chargebacks-built');

  await region.getByTestId('cb-prepare').click();
  const card = region.getByTestId('delivery-card');
  await expectText(card.getByTestId('delivery-state'), 'awaiting approval');
  await expectText(card, 'chargebacks · 4 files');
  await expectText(card, 'Needs approval by an approver other than alice.');
  expect(await card.getByTestId('delivery-file').count()).toBe(4);
  expect(await region.getByTestId('cb-prepare').isDisabled()).toBe(true);
  // Nothing has left: the partner's folder is still empty until someone else approves and sends.
  expect(readdirSync(h.demo.dir)).toEqual([]);
  await expectFitsPane(page, 'chargebacks-prepared');
  expect(h.blockedRequests.filter((u) => !u.includes('appsforoffice'))).toEqual([]);
});
