/**
 * An admin at a 350 px pane sets what the flows need, and a waiting tuition invoice goes out:
 * a customer approves an invoice while no delivery target is set (both sides are told it waits);
 * the admin adds an FTP partner and tests its sign-in, sets the VISA chargeback target and the
 * customer's target, connects the Zoho sandbox and loads a mapping file (a bad one first, refused
 * with its rows); back as the preparer, the invoice is delivered to the partner's folder. A build
 * warns that a learner could be two people; the admin follows the warning to the customer's learner
 * settings, names her with an alias, and the next build bills her as one. Every Settings section is
 * checked to fit the pane; screenshots under test-results/pane-width/.
 */
import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startZohoSandbox, type RunningSandbox } from '../../server/dev/zoho-sandbox';
import { CHARGE_ITEM_NAMES } from '../../src/settlements/mapping';
import { startFtpServer, type TestFtpServer } from '../servers/ftp';
import { startMailCatcher, type MailCatcher } from '../../server/dev/mail-catcher';
import { putCustomerSettings } from '../../server/jobs/tuition/invoices';
import { freePort } from './server';
import { ROOT, expectText, openPage, openSignedIn, startHarness, type Harness } from './harness';
import { expectFitsPane } from './layout';

const FIX = join(ROOT, 'test', 'fixtures', 'tuition');
const INVOICE = 'TU-2024-11-NORTHWIND-TRADERS-USD';

let h: Harness;
let ftp: TestFtpServer;
let sb: RunningSandbox;
let catcher: MailCatcher;

beforeAll(async () => {
  // The sandbox registers itself, so Settings → Zoho connections offers it (as with `npm start`).
  sb = await startZohoSandbox({ port: 0, register: true, limits: { perMinute: 1_000_000 } });
  catcher = await startMailCatcher({ port: 0 });
  const port = await freePort();
  h = await startHarness({
    port,
    env: { SMTP_HOST: catcher.host, SMTP_PORT: String(catcher.port), CLOSEDESK_PUBLIC_ORIGIN: `http://127.0.0.1:${port}` },
    prepareDatasets: async (dir) => {
      copyFileSync(join(FIX, 'brightpath-good.csv'), join(dir, 'brightpath-good.csv'));
      // Adatum's learner Sam: an address at each of two domains at BrightPath, and plain "sam" at LearnWell.
      writeFileSync(
        join(dir, 'adatum-brightpath-2024-11.csv'),
        ['Invoice Ref,Employer,Employee Email,Charge Type,Charge Amount,Currency,Service Date', 'BP-71,Adatum Corp,sam@adatum.test,Tuition,100.00,USD,11/04/2024', 'BP-72,Adatum Corp,sam@adatum-labs.test,Tuition,50.00,USD,11/05/2024'].join('\r\n'),
      );
      writeFileSync(join(dir, 'adatum-learnwell-2024-11.csv'), ['Reference,Company,Learner,Expense Type,Amount,Currency,Date', 'LW71,Adatum Corp,sam,TUITION,20.00,USD,2024-11-06'].join('\r\n'));
    },
  });
  const root = join(h.dataDir, '..', 'ftp');
  for (const d of ['in/visa', 'in/tuition']) mkdirSync(join(root, d), { recursive: true });
  ftp = await startFtpServer({ root, users: { acq: 'Ftp-Secret-71' } });
  // The customer's approver is known (the link goes to her); its delivery target is what the admin sets below.
  const { ctx } = h.server.app;
  await putCustomerSettings({ store: ctx.store, audit: ctx.audit, secrets: ctx.secrets, masterKey: ctx.config.masterKey }, { name: 'Northwind Traders', approverEmail: 'ap@northwind.test' }, 'root');
});

afterAll(async () => {
  await h?.close();
  await ftp?.close();
  await sb?.close();
  await catcher?.close();
});

async function signOut(): Promise<void> {
  await h.page.getByRole('button', { name: 'Sign out' }).click();
  await h.page.getByTestId('sign-in').waitFor();
}

async function section(name: string): Promise<void> {
  const settings = await openPage(h.page, 'Settings');
  await settings.getByTestId('settings-section').selectOption({ label: name });
}

test('an invoice approved while no target is set waits, and both sides are told so', async () => {
  const { page } = h;
  await openSignedIn(h, 'alice', 'preparer');
  // The preparer has no Settings page.
  await openPage(page, 'Tuition');
  expect(await page.getByRole('navigation', { name: 'Pages' }).getByRole('tab', { name: 'Settings' }).count()).toBe(0);
  const region = page.getByRole('region', { name: 'Tuition', exact: true });
  await region.getByRole('radio', { name: 'Datasets on the server' }).check();
  await region.getByRole('checkbox', { name: /brightpath-good/ }).check();
  await region.getByTestId('tu-month').fill('2024-11');
  await region.getByTestId('tu-build').click();
  await expectText(region.getByTestId('tu-outcome'), '2 invoices for 2024-11');
  await region.getByTestId('tu-store').click();
  const card = region.getByTestId(`tu-invoice-${INVOICE}`);
  await card.getByTestId('tu-send').click();
  // The link goes to the approver's mailbox, and she opens it from there.
  const mail = await catcher.next((m) => m.to.includes('ap@northwind.test') && m.subject.includes(INVOICE));
  const url = mail.links.find((l) => l.includes('/tuition/approve/'))!;

  const customer = await h.context.newPage();
  await customer.goto(url);
  await customer.getByRole('button', { name: 'Approve invoice' }).click();
  await expectText(customer.getByRole('status'), 'It will be delivered to you as soon as our billing team has set up where your invoices go; you need not do anything more.');
  await customer.close();

  await expectText(card.getByTestId('tu-state'), 'Approved by ap@northwind.test; no delivery target is set for Northwind Traders: an admin sets one under Settings → Delivery targets, and it is delivered then.');
  await signOut();
});

test('the admin adds an FTP partner and tests its sign-in', async () => {
  const { page } = h;
  await openSignedIn(h, 'root', 'admin');
  await section('Delivery partners');
  const partners = page.getByTestId('partners-section');
  await partners.getByTestId('partner-add').click();
  const form = partners.getByTestId('partner-form');
  await form.getByTestId('partner-name').fill('Acquirer FTP');
  await form.getByTestId('partner-protocol').selectOption('ftp');
  await form.getByTestId('partner-host').fill('127.0.0.1');
  await form.getByTestId('partner-port').fill(String(ftp.port));
  await form.getByTestId('partner-folder').fill('in');
  await form.getByTestId('partner-user').fill('acq');
  await form.getByTestId('partner-password').fill('Ftp-Secret-71');
  await expectFitsPane(page, 'settings-partner-form');
  await form.getByTestId('partner-save').click();
  const card = partners.getByTestId('partner-card').filter({ hasText: 'Acquirer FTP' });
  await expectText(card, 'password stored');
  await card.getByTestId('partner-test').click();
  await expectText(card.getByTestId('partner-note'), `Signed in to 127.0.0.1:${ftp.port} as acq. Plain FTP: nothing is encrypted.`);
  // The password is never shown back.
  expect(await page.content()).not.toContain('Ftp-Secret-71');
  await expectFitsPane(page, 'settings-partners');
});

test('the admin sets the VISA chargeback target and the customer\'s target; the waiting invoice goes', async () => {
  const { page } = h;
  await section('Delivery targets');
  const targets = page.getByTestId('targets-section');
  const visa = targets.locator('[data-target="chargebacks:VISA"]');
  await expectText(visa.getByTestId('target-now'), 'Not set: a batch with these files cannot be prepared.');
  await visa.getByTestId('target-edit').click();
  await visa.getByTestId('target-partner').selectOption({ label: `Acquirer FTP (FTP 127.0.0.1)` });
  await visa.getByTestId('target-folder').fill('visa');
  await expectFitsPane(page, 'settings-target-form');
  await visa.getByTestId('target-save').click();
  await expectText(targets.getByTestId('targets-notice'), 'VISA: files go to Acquirer FTP.');
  await expectText(targets.locator('[data-target="chargebacks:VISA"]').getByTestId('target-now'), 'Goes to Acquirer FTP, folder in/visa.');

  const northwind = targets.locator('[data-customer="Northwind Traders"]');
  await expectText(northwind.getByTestId('target-now'), 'Not set: approved invoices wait for one.');
  await northwind.getByTestId('tuition-edit').click();
  await northwind.getByTestId('tuition-approver').fill('ap@northwind.test');
  await northwind.getByTestId('tuition-method').selectOption('partner');
  await northwind.getByTestId('target-partner').selectOption({ label: `Acquirer FTP (FTP 127.0.0.1)` });
  await northwind.getByTestId('target-folder').fill('tuition');
  await northwind.getByTestId('tuition-save').click();
  await expectText(targets.getByTestId('targets-notice'), 'Northwind Traders: saved. Approved invoices that waited for a target are delivered now.');
  await expectText(targets.locator('[data-customer="Northwind Traders"]').getByTestId('target-now'), 'Goes to Acquirer FTP, folder in/tuition.');
  await expectFitsPane(page, 'settings-targets');
});

test('the admin connects the Zoho sandbox and loads a mapping file: a bad one is refused with its rows, a good one is stored', async () => {
  const { page } = h;
  await section('Zoho connections');
  const connections = page.getByTestId('connections-page');
  await connections.getByRole('button', { name: 'Connect' }).click();
  await expectText(connections, 'Connected "Demo books (sandbox)"');
  await expectFitsPane(page, 'settings-connections');

  await section('Zoho mappings');
  const mappings = page.getByTestId('mappings-section');
  await mappings.getByTestId('mapping-rows').waitFor();
  await mappings.getByTestId('mapping-file').setInputFiles({ name: 'bad-mapping.csv', mimeType: 'text/csv', buffer: Buffer.from('KIND,KEY,ZOHO_ID\r\naccount,Bank,1.2E+17\r\nledger,Bank,1\r\n') });
  await expectText(page.getByTestId('mappings-error'), 'bad-mapping.csv has problems; nothing was loaded.');
  const problems = mappings.getByTestId('problems-list');
  await expectText(problems, 'Problems in bad-mapping.csv (2)');
  await expectText(problems, '1.2E+17');
  await expectText(problems, '"ledger" is not a kind of mapping');
  await expectFitsPane(page, 'settings-mapping-problems');

  const books = sb.sandbox.state.data.books[0]!;
  const item = (n: string) => books.items.find((i) => i.name === n)!.item_id;
  const rows = [
    ...books.accounts.map((a) => `account,${a.account_name},${a.account_id}`),
    ...books.items.filter((i) => i.sku).map((i) => `item,${i.sku},${i.item_id}`),
    ...Object.entries(CHARGE_ITEM_NAMES).map(([charge, name]) => `charge-item,${charge},${item(name)}`),
    ...books.contacts.map((c) => `customer,${c.contact_name},${c.contact_id}`),
  ];
  await mappings.getByTestId('mapping-file').setInputFiles({ name: 'demo-books.csv', mimeType: 'text/csv', buffer: Buffer.from(['KIND,KEY,ZOHO_ID', ...rows].join('\r\n')) });
  await expectText(mappings.getByTestId('mappings-notice'), `Loaded ${rows.length} entries from demo-books.csv.`);
  expect(await mappings.getByTestId('problems-list').count()).toBe(0);
  await mappings.getByTestId('mapping-kind').selectOption({ label: 'Items (SKU) (5)' });
  const mug = mappings.locator('[data-key="SKU-RED-MUG"] select');
  expect(await mug.inputValue()).toBe(item('Red mug'));
  await expectFitsPane(page, 'settings-mappings');
  await signOut();
});

test('back as the preparer: the invoice was delivered to the customer\'s target', async () => {
  const { page } = h;
  await openSignedIn(h, 'alice', 'preparer');
  const region = await openPage(page, 'Tuition');
  await region.getByTestId('tu-month').fill('2024-11');
  const state = region.getByTestId(`tu-invoice-${INVOICE}`).getByTestId('tu-state');
  await expectText(state, `Delivered: ${INVOICE}-v1.csv → FTP 127.0.0.1:in/tuition/${INVOICE}-v1.csv`);
  expect(await state.textContent()).not.toContain('no delivery target');
  expect(readdirSync(join(h.dataDir, '..', 'ftp', 'in', 'tuition')).sort()).toEqual([`${INVOICE}-v1.csv`, `${INVOICE}-v1.xlsx`]);
  expect(h.blockedRequests.filter((u) => !u.includes('appsforoffice'))).toEqual([]);
  await signOut();
});

test('an ambiguous learner: the admin follows the warning to the customer\'s learner settings, adds an alias, and the next build bills her as one', async () => {
  const { page } = h;
  await openSignedIn(h, 'root', 'admin');
  const region = await openPage(page, 'Tuition');
  await region.getByRole('radio', { name: 'Datasets on the server' }).check();
  await region.getByRole('checkbox', { name: /adatum-brightpath/ }).check();
  await region.getByRole('checkbox', { name: /adatum-learnwell/ }).check();
  await region.getByTestId('tu-month').fill('2024-11');
  await region.getByTestId('tu-build').click();
  const adatumLines = region.getByTestId('tu-built').getByRole('row', { name: /Adatum Corp/ }).getByRole('cell').nth(1);
  // "sam" could be either address: billed as a learner of its own, three lines, and the warning says what to do.
  await expectText(adatumLines, '3');
  await expectText(region.getByTestId('problems-list'), 'For Adatum Corp, "sam"');
  const warning = region.getByTestId('tu-ambiguous');
  await expectText(warning, 'A learner\'s spelling could be more than one person');
  await expectFitsPane(page, 'tuition-ambiguous-learner');

  await warning.getByTestId('tu-open-learners').click();
  const targets = page.getByTestId('targets-section');
  const adatum = targets.locator('[data-customer="Adatum Corp"]');
  const form = adatum.getByTestId('learners-form');
  // Opened on the customer, with the spelling to settle filled in.
  expect(await form.getByTestId('alias-spelling').inputValue()).toBe('sam');
  await form.getByTestId('alias-learner').fill('sam@adatum-labs.test');
  await expectFitsPane(page, 'settings-learners-form');
  await form.getByTestId('learners-save').click();
  await expectText(targets.getByTestId('targets-notice'), 'Adatum Corp: learner matching saved; it applies from the next build of the month.');
  await expectText(targets.locator('[data-customer="Adatum Corp"]').getByTestId('learners-now'), '1 learner alias; a user name is matched to the one address it begins.');
  await expectFitsPane(page, 'settings-learners');

  const again = await openPage(page, 'Tuition');
  await again.getByTestId('tu-build').click();
  await expectText(again.getByTestId('tu-outcome'), '3 expense lines → 1 invoice for 2024-11');
  // Sam at LearnWell is now the labs address: two learner lines, no warning.
  await expectText(adatumLines, '2');
  expect(await again.getByTestId('tu-ambiguous').count()).toBe(0);
  expect(await again.getByText('could be sam@adatum').count()).toBe(0);
});
