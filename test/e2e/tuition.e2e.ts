/**
 * The Tuition page in preview mode against the real server: a partner file served as a backend
 * dataset → invoices built and written as sheets → stored as drafts → sent for approval (the link is
 * shown to copy) → the customer approves on the public page in another tab → the pane shows the
 * new state without a reload.
 */
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, expectText, openPage, openSignedIn, startHarness, type Harness } from './harness';

const FIX = join(ROOT, 'test', 'fixtures', 'tuition');

let h: Harness;

beforeAll(async () => {
  h = await startHarness({
    prepareDatasets: async (dir) => {
      copyFileSync(join(FIX, 'brightpath-good.csv'), join(dir, 'brightpath-good.csv'));
    },
  });
});

afterAll(async () => {
  await h?.close();
});

test('dataset → invoices → drafts → approval link → approved by the customer, followed live', async () => {
  const { page } = h;
  await openSignedIn(h, 'alice', 'preparer');
  const region = await openPage(page, 'Tuition');
  await region.getByRole('radio', { name: 'Datasets on the server' }).check();
  await region.getByRole('checkbox', { name: /brightpath-good/ }).check();
  await region.getByTestId('tu-month').fill('2024-11');
  await region.getByTestId('tu-build').click();
  await expectText(region.getByTestId('tu-outcome'), '5 expense lines → 2 invoices for 2024-11');
  const built = region.getByTestId('tu-built');
  await expectText(built, 'Northwind Traders');
  await expectText(built, '1145.50 USD');

  await region.getByTestId('tu-store').click();
  await expectText(region.getByTestId('tu-notice'), '2 new, 0 changed (new version), 0 unchanged.');
  const card = region.getByTestId('tu-invoice-TU-2024-11-NORTHWIND-TRADERS-USD');
  await expectText(card.getByTestId('tu-state'), 'Draft: send it for approval.');
  await card.getByTestId('tu-send').click();
  const link = card.getByTestId('tu-link');
  await link.waitFor();
  const url = await link.inputValue();
  expect(url).toMatch(new RegExp(`^${h.server.origin}/tuition/approve/[A-Za-z0-9_-]{24}\\.[A-Za-z0-9_-]{43}$`));
  await expectText(card.getByTestId('tu-state'), "Awaiting Northwind Traders's approval (version 1).");

  const customer = await h.context.newPage();
  await customer.goto(url);
  await customer.getByTestId('total').filter({ hasText: '1145.50 USD' }).waitFor();
  await customer.getByLabel('Your name or email (optional)').first().fill('ap@northwind.test');
  await customer.getByRole('button', { name: 'Approve invoice' }).click();
  await customer.getByRole('heading', { name: 'Invoice TU-2024-11-NORTHWIND-TRADERS-USD approved' }).waitFor();
  await customer.close();

  // The pane polls the month's invoices: the decision appears without any click.
  await expectText(card.getByTestId('tu-state'), 'Approved by ap@northwind.test; no delivery target is set for Northwind Traders: an admin sets one under Settings → Delivery targets, and it is delivered then.');
  expect(h.blockedRequests.filter((u) => !u.includes('appsforoffice'))).toEqual([]);
});
