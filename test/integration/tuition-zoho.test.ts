/**
 * Tuition invoices delivered to Zoho Books (the local sandbox, real HTTP on loopback) on SQLite and
 * PostgreSQL: only after the customer's approval, exactly once (a second delivery and a crash after
 * Zoho created the invoice both adopt the existing one), lines as the customer approved them.
 */
import { clientFor } from '../../server/zoho/connections';
import type { RunningSandbox } from '../../server/dev/zoho-sandbox';
import { putCustomerSettings, requireInvoice, saveInvoices, type StoredInvoice, type TuitionDeps } from '../../server/jobs/tuition/invoices';
import { decideByLink, sendForApproval } from '../../server/jobs/tuition/approval';
import { deliverInvoice } from '../../server/jobs/tuition/delivery';
import { startTestMail, type TestMail } from './tuition-mail';
import { zohoInvoiceNumber } from '../../server/jobs/tuition/zoho';
import { buildTuitionInvoices, readExpenseLines } from '../../src/tuition';
import { BACKENDS, openTestBackend, type TestBackend } from './backends';
import { connectSandbox, startSandbox, testSecrets } from './zoho-fixtures';
import { user } from './people';

const alice = user('alice', ['preparer']);

const HEADER = ['Invoice Ref', 'Employer', 'Employee Email', 'Charge Type', 'Charge Amount', 'Currency', 'Service Date'];
const ROWS = [
  ['BP-1', 'Northwind Traders', 'alice@northwind.test', 'Tuition', '1200.10', 'USD', '11/04/2024'],
  ['BP-2', 'Northwind Traders', 'bob@northwind.test', 'Tutoring', '60.00', 'USD', '11/05/2024'],
  ['BP-3', 'Contoso Ltd', 'carl@contoso.test', 'Tuition', '900.00', 'USD', '11/06/2024'],
  ['BP-4', 'Fabrikam Inc', 'erin@fabrikam.test', 'Tuition', '300.00', 'USD', '11/07/2024'],
  ['BP-5', 'Fabrikam Inc', 'erin@fabrikam.test', 'Books refund', '-50.00', 'USD', '11/08/2024'],
  ['BP-6', 'Contoso Ltd', 'carl@contoso.test', 'Tutoring', '70.00', 'EUR', '11/09/2024'],
];

describe.each(BACKENDS)('tuition delivery to Zoho Books on %s', (backend) => {
  let t: TestBackend;
  let sb: RunningSandbox;
  let deps: TuitionDeps;
  let connectionId: string;
  let mail: TestMail;
  const byCustomer: Record<string, StoredInvoice> = {};

  const approve = async (id: string) => {
    const sent = await sendForApproval(deps, id, alice);
    const inv = await requireInvoice(t.store, id);
    const r = await decideByLink(deps, await mail.linkTo('ap@customer.test', sent.invoice.number), { decision: 'approved', shownHash: inv.hash });
    expect(r.ok).toBe(true);
  };
  const zohoInvoices = () => sb.sandbox.state.books(sb.sandbox.state.seedIds().organizationId)!.invoices;

  beforeAll(async () => {
    t = await openTestBackend(backend);
    const { secrets, masterKey } = testSecrets(t.store);
    mail = await startTestMail();
    deps = { store: t.store, audit: t.audit, secrets, masterKey, mailer: mail.mailer, publicOrigin: mail.publicOrigin };
    sb = await startSandbox();
    connectionId = (await connectSandbox(t.store, secrets, sb)).id;
    const seed = sb.sandbox.state.seedIds();
    for (const name of ['Northwind Traders', 'Contoso Ltd', 'Fabrikam Inc']) {
      await putCustomerSettings(deps, { name, approverEmail: 'ap@customer.test', delivery: { method: 'zoho', connectionId, zohoCustomerId: seed.customerId, itemId: seed.itemIds.sales } }, 'root');
    }
    const read = readExpenseLines([{ name: 'bp.csv', header: HEADER, rows: ROWS }], { month: '2024-11' });
    expect(read.problems).toEqual([]);
    const saved = await saveInvoices(deps, buildTuitionInvoices(read.lines, '2024-11'), alice);
    for (const i of saved.created) byCustomer[`${i.customer} ${i.currency}`] = i;
  });
  afterAll(async () => {
    await sb?.close();
    await mail?.close();
    await t?.cleanup();
  });

  test('nothing reaches Zoho before approval; after it, one invoice with the approved lines, once', async () => {
    const id = byCustomer['Northwind Traders USD']!.id;
    await expect(deliverInvoice(deps, id, 'alice')).rejects.toMatchObject({ code: 'not-approved' });
    expect(zohoInvoices()).toHaveLength(0);

    await approve(id);
    const r = await deliverInvoice(deps, id, 'closedesk');
    expect(r.invoice).toMatchObject({ state: 'delivered', deliveryError: null });
    const number = zohoInvoiceNumber(r.invoice);
    expect(number).toBe('TU-2024-11-NORTHWIND-TRADERS-USD-v1');
    const made = zohoInvoices().filter((i) => i.invoice_number === number);
    expect(made).toHaveLength(1);
    expect(r.invoice.remoteId).toBe(made[0]!.invoice_id);
    expect(made[0]!.totalCents).toBe(126010);
    expect(made[0]!.line_items.map((l) => [l.description, l.rate, l.quantity])).toEqual([
      ['alice@northwind.test (1 item)', 1200.1, 1],
      ['bob@northwind.test (1 item)', 60, 1],
    ]);
    // Delivering again changes nothing.
    const again = await deliverInvoice(deps, id, 'closedesk');
    expect(again.invoice.state).toBe('delivered');
    expect(zohoInvoices().filter((i) => i.invoice_number === number)).toHaveLength(1);
    const audit = (await deps.audit.recent({ subjectType: 'tuition-invoice', subjectId: id }))[0]!;
    expect(audit).toMatchObject({ action: 'tuition.delivered', details: { zoho: { invoiceId: made[0]!.invoice_id, adopted: false } } });
  });

  test('after a crash between Zoho creating the invoice and our record of it, the invoice is adopted, not created twice', async () => {
    const id = byCustomer['Contoso Ltd USD']!.id;
    await approve(id);
    const inv = await requireInvoice(t.store, id);
    const { client } = await clientFor(deps, connectionId);
    const seed = sb.sandbox.state.seedIds();
    const created = await client.post('/invoices', { customer_id: seed.customerId, invoice_number: zohoInvoiceNumber(inv), line_items: [{ item_id: seed.itemIds.sales, rate: 900, quantity: 1 }] }, { ignore_auto_number_generation: true });
    const r = await deliverInvoice(deps, id, 'closedesk');
    expect(r.invoice).toMatchObject({ state: 'delivered', remoteId: (created.invoice as { invoice_id: string }).invoice_id });
    expect(zohoInvoices().filter((i) => i.invoice_number === zohoInvoiceNumber(inv))).toHaveLength(1);
  });

  test('a credit line cannot go to a Zoho invoice: the delivery error says so and the invoice stays approved', async () => {
    const id = byCustomer['Fabrikam Inc USD']!.id;
    await approve(id);
    const r = await deliverInvoice(deps, id, 'closedesk');
    expect(r.invoice.state).toBe('approved');
    expect(r.invoice.deliveryError).toContain('credit line');
    expect(zohoInvoices().filter((i) => i.invoice_number.includes('FABRIKAM'))).toHaveLength(0);
  });

  test('an invoice in another currency than the Zoho customer is not sent', async () => {
    const id = byCustomer['Contoso Ltd EUR']!.id;
    await approve(id);
    const r = await deliverInvoice(deps, id, 'closedesk');
    expect(r.invoice.state).toBe('approved');
    expect(r.invoice.deliveryError).toMatch(/is in EUR but the Zoho customer .* bills in USD/);
    expect(zohoInvoices().filter((i) => i.invoice_number.includes('EUR'))).toHaveLength(0);
  });
});
