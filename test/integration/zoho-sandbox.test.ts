/**
 * The sandbox answers like Zoho Books: OAuth grants, validation against our request contract
 * (server/zoho/contract.ts), Zoho's business errors, search and pagination. Real HTTP on loopback.
 */
import fs from 'node:fs';
import os from 'node:os';
import p from 'node:path';
import { startZohoSandbox, type RunningSandbox } from '../../server/dev/zoho-sandbox';
import { startSandbox } from './zoho-fixtures';

let sb: RunningSandbox;
let token: string;
let org: string;
let seed: ReturnType<RunningSandbox['sandbox']['state']['seedIds']>;

async function call(method: string, path: string, body?: unknown, query: Record<string, string> = {}) {
  const url = new URL(sb.apiBase + path);
  if (!('organization_id' in query)) url.searchParams.set('organization_id', org);
  for (const [k, v] of Object.entries(query)) if (v !== '') url.searchParams.set(k, v);
  const res = await fetch(url, {
    method,
    headers: { Authorization: `Zoho-oauthtoken ${token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

async function tokenCall(params: Record<string, string>) {
  const res = await fetch(`${sb.url}/oauth/v2/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(params).toString() });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

const invoice = (number: string, rate = 10) => ({ customer_id: seed.customerId, invoice_number: number, date: '2026-01-15', line_items: [{ item_id: seed.itemIds.sales, rate, quantity: 1 }] });

beforeAll(async () => {
  sb = await startSandbox({ limits: { tokensPer10Minutes: 3 } });
  seed = sb.sandbox.state.seedIds();
  org = seed.organizationId;
  const grant = await tokenCall({ grant_type: 'authorization_code', client_id: 'cid', client_secret: 'cs', code: '1000.grant.code' });
  token = grant.body.access_token;
});
afterAll(() => sb.close());

describe('Zoho sandbox: OAuth', () => {
  it('exchanges a grant code once, refreshes, and limits tokens per refresh token', async () => {
    const again = await tokenCall({ grant_type: 'authorization_code', client_id: 'cid', client_secret: 'cs', code: '1000.grant.code' });
    expect(again.body).toEqual({ error: 'invalid_code' });
    const first = await tokenCall({ grant_type: 'authorization_code', client_id: 'c2', client_secret: 's2', code: 'another' });
    expect(first.body).toMatchObject({ token_type: 'Bearer', expires_in: 3600, api_domain: sb.url });
    expect(first.body.refresh_token).toMatch(/^1000\./);
    const refresh = { grant_type: 'refresh_token', client_id: 'c2', client_secret: 's2', refresh_token: first.body.refresh_token };
    expect((await tokenCall({ ...refresh, client_secret: 'wrong' })).body).toEqual({ error: 'invalid_client' });
    // The grant minted one; two more fit in the 10-minute allowance of 3, the next is refused.
    expect((await tokenCall(refresh)).body.access_token).toBeDefined();
    expect((await tokenCall(refresh)).body.access_token).toBeDefined();
    const denied = await tokenCall(refresh);
    expect(denied.body.error).toBe('Access Denied');
    sb.sandbox.revokeRefreshToken(first.body.refresh_token);
    expect((await tokenCall(refresh)).body).toEqual({ error: 'invalid_code' });
  });

  it('refuses calls without a valid access token (HTTP 401)', async () => {
    const res = await fetch(`${sb.apiBase}/contacts?organization_id=${org}`, { headers: { Authorization: 'Zoho-oauthtoken nope' } });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { code: number }).code).toBe(57);
  });
});

describe('Zoho sandbox: validation against the request contract', () => {
  it('needs organization_id except on GET /organizations', async () => {
    expect((await call('GET', '/contacts', undefined, { organization_id: '' })).body.code).toBe(6041);
    const orgs = await call('GET', '/organizations', undefined, { organization_id: '' });
    expect(orgs.body.organizations[0].organization_id).toBe(org);
  });

  it('rejects unknown fields, wrong types, missing required fields and unknown query parameters', async () => {
    const extra = await call('POST', '/invoices', { ...invoice('V1'), colour: 'red' }, { ignore_auto_number_generation: 'true' });
    expect(extra).toMatchObject({ status: 400, body: { code: 2 } });
    expect(extra.body.message).toContain('colour');
    const numericId = await call('POST', '/invoices', { ...invoice('V2'), customer_id: Number(seed.customerId.slice(0, 10)) }, { ignore_auto_number_generation: 'true' });
    expect(numericId.body).toMatchObject({ code: 2, message: expect.stringContaining('customer_id') });
    const noLines = await call('POST', '/invoices', { customer_id: seed.customerId }, {});
    expect(noLines.body).toMatchObject({ code: 2, message: expect.stringContaining('line_items') });
    const badLine = await call('POST', '/journals', { journal_date: '2026-01-01', line_items: [{ account_id: seed.accountIds.fees, amount: 1 }] });
    expect(badLine.body).toMatchObject({ code: 2, message: expect.stringContaining('debit_or_credit') });
    const badQuery = await call('GET', '/invoices', undefined, { sku: 'X' });
    expect(badQuery.body).toMatchObject({ code: 2, message: expect.stringContaining('sku') });
    const badBool = await call('POST', '/invoices', invoice('V3'), { ignore_auto_number_generation: 'yes' });
    expect(badBool.body.code).toBe(2);
    expect(sb.sandbox.state.data.books[0].invoices.filter((i) => i.invoice_number.startsWith('V'))).toEqual([]);
  });

  it('answers an unknown URL with code 5', async () => {
    expect(await call('GET', '/nothing-here')).toMatchObject({ status: 404, body: { code: 5 } });
  });
});

describe('Zoho sandbox: books', () => {
  it('creates invoices with 18-digit string ids and refuses a duplicate number with 1001', async () => {
    const a = await call('POST', '/invoices', invoice('AMZN1234567', 19.99), { ignore_auto_number_generation: 'true' });
    expect(a.status).toBe(201);
    expect(a.body.invoice.invoice_id).toMatch(/^\d{18}$/);
    expect(a.body.invoice).toMatchObject({ invoice_number: 'AMZN1234567', total: 19.99, balance: 19.99, status: 'draft' });
    const dup = await call('POST', '/invoices', invoice('AMZN1234567'), { ignore_auto_number_generation: 'true' });
    expect(dup).toMatchObject({ status: 400, body: { code: 1001, message: 'Invoice AMZN1234567 already exists' } });
    const own = await call('POST', '/invoices', invoice('AMZN7654321'));
    expect(own.body.code).toBe(2);
    const auto = await call('POST', '/invoices', { customer_id: seed.customerId, line_items: [{ item_id: seed.itemIds.sales, rate: 5, quantity: 2 }] });
    expect(auto.body.invoice.invoice_number).toMatch(/^INV-\d{6}$/);
  });

  it('applies payments up to the balance (24016 beyond it, 4038 for an unknown invoice)', async () => {
    const inv = (await call('POST', '/invoices', invoice('AMZN2000001', 50), { ignore_auto_number_generation: 'true' })).body.invoice;
    const pay = (amount: number, ref: string, invoiceId = inv.invoice_id) =>
      call('POST', '/customerpayments', { customer_id: seed.customerId, payment_mode: 'banktransfer', amount, date: '2026-01-20', reference_number: ref, invoices: [{ invoice_id: invoiceId, amount_applied: amount }], account_id: seed.accountIds.clearing });
    expect((await pay(60, 'S-over')).body).toMatchObject({ code: 24016 });
    expect((await pay(10, 'S-unknown', '460000000999999999')).body).toMatchObject({ code: 4038 });
    const ok = await pay(50, 'S-1');
    expect(ok.body.payment).toMatchObject({ amount: 50, reference_number: 'S-1', invoices: [{ invoice_id: inv.invoice_id, amount_applied: 50 }] });
    expect((await call('GET', `/invoices/${inv.invoice_id}`)).body.invoice).toMatchObject({ balance: 0, status: 'paid' });
    expect((await pay(50, 'S-2')).body.code).toBe(24016);
    const found = await call('GET', '/customerpayments', undefined, { reference_number: 'S-1' });
    expect(found.body.customerpayments).toHaveLength(1);
  });

  it('refuses unbalanced journals with 21004', async () => {
    const j = (debit: number, credit: number) =>
      call('POST', '/journals', {
        journal_date: '2026-01-20',
        reference_number: 'J-1',
        line_items: [
          { account_id: seed.accountIds.fees, debit_or_credit: 'debit', amount: debit },
          { account_id: seed.accountIds.clearing, debit_or_credit: 'credit', amount: credit },
        ],
      });
    expect((await j(10, 10.01)).body).toMatchObject({ code: 21004, message: 'The Debits and Credits do not match' });
    expect((await j(10.01, 10.01)).body.journal).toMatchObject({ reference_number: 'J-1', total: 10.01 });
    expect((await call('GET', '/journals', undefined, { reference_number: 'J-1' })).body.journals).toHaveLength(1);
  });

  it('searches by invoice_number and reference_number and pages with has_more_page', async () => {
    for (let i = 0; i < 5; i++) {
      await call('POST', '/invoices', { ...invoice(`PG-${i}`), reference_number: 'ORDER-9' }, { ignore_auto_number_generation: 'true' });
    }
    expect((await call('GET', '/invoices', undefined, { invoice_number: 'PG-3' })).body.invoices.map((i: any) => i.invoice_number)).toEqual(['PG-3']);
    const p1 = await call('GET', '/invoices', undefined, { reference_number: 'ORDER-9', per_page: '2', page: '1' });
    expect(p1.body.invoices).toHaveLength(2);
    expect(p1.body.page_context).toMatchObject({ page: 1, per_page: 2, has_more_page: true });
    const p3 = await call('GET', '/invoices', undefined, { reference_number: 'ORDER-9', per_page: '2', page: '3' });
    expect(p3.body.invoices).toHaveLength(1);
    expect(p3.body.page_context.has_more_page).toBe(false);
    expect((await call('GET', '/invoices', undefined, { per_page: '500' })).body.code).toBe(2);
  });

  it('counts the daily limit per organisation and answers 45 with the reset header', async () => {
    const before = sb.sandbox.limits.perDay;
    sb.sandbox.limits.perDay = 0;
    try {
      const res = await fetch(`${sb.apiBase}/contacts?organization_id=${org}`, { headers: { Authorization: `Zoho-oauthtoken ${token}` } });
      expect(res.status).toBe(429);
      expect(((await res.json()) as { code: number }).code).toBe(45);
      expect(Number(res.headers.get('x-rate-limit-reset'))).toBeGreaterThan(0);
    } finally {
      sb.sandbox.limits.perDay = before;
    }
  });
});

describe('Zoho sandbox: npm start', () => {
  it('keeps its books and refresh tokens in the data folder across restarts', async () => {
    const dir = fs.mkdtempSync(p.join(os.tmpdir(), 'closedesk-sandbox-'));
    try {
      const first = await startZohoSandbox({ port: 0, dataDir: dir });
      const grant = await fetch(`${first.url}/oauth/v2/token?grant_type=authorization_code&client_id=c&client_secret=s&code=x`, { method: 'POST' });
      const { refresh_token: refresh, access_token: access } = (await grant.json()) as { refresh_token: string; access_token: string };
      const s = first.sandbox.state.seedIds();
      const made = await fetch(`${first.apiBase}/invoices?organization_id=${s.organizationId}&ignore_auto_number_generation=true`, {
        method: 'POST',
        headers: { Authorization: `Zoho-oauthtoken ${access}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ customer_id: s.customerId, invoice_number: 'KEEP-1', line_items: [{ item_id: s.itemIds.sales, rate: 1, quantity: 1 }] }),
      });
      expect(made.status).toBe(201);
      await first.close();
      const second = await startZohoSandbox({ port: 0, dataDir: dir });
      try {
        expect(second.sandbox.state.seedIds()).toEqual(s);
        const again = await fetch(`${second.url}/oauth/v2/token?grant_type=refresh_token&client_id=c&client_secret=s&refresh_token=${refresh}`, { method: 'POST' });
        expect(((await again.json()) as { access_token?: string }).access_token).toBeDefined();
        expect(second.sandbox.state.invoiceByNo(s.organizationId, 'KEEP-1')).toBeDefined();
      } finally {
        await second.close();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
