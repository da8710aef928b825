/**
 * The Zoho client against real HTTP on loopback: the sandbox, plus a tiny server for answers the
 * sandbox never gives (HTTP 200 with code != 0).
 */
import Fastify from 'fastify';
import { ZohoClient } from '../../server/zoho/client';
import { SimulatedClock } from '../../server/zoho/clock';
import { endpointsFor } from '../../server/zoho/datacentres';
import { isZohoError, ZohoError } from '../../server/zoho/errors';
import { parseZohoJson } from '../../server/zoho/json';
import { ZohoLimiter } from '../../server/zoho/limiter';
import { TokenManager } from '../../server/zoho/token';
import type { RunningSandbox, SandboxOptions } from '../../server/dev/zoho-sandbox';
import { startSandbox } from './zoho-fixtures';

function tokensFor(sb: RunningSandbox, refreshToken: string, clock?: SimulatedClock) {
  return new TokenManager({ accounts: sb.url, clock, credentials: async () => ({ clientId: 'cid', clientSecret: 'secret', refreshToken }) });
}

async function setup(opts: SandboxOptions = {}, clientOpts: { clock?: SimulatedClock; limiter?: ZohoLimiter; backoffMs?: number } = {}) {
  const sb = await startSandbox(opts);
  const refresh = sb.sandbox.issueRefreshToken('cid', 'secret');
  const tokens = tokensFor(sb, refresh, clientOpts.clock);
  const seed = sb.sandbox.state.seedIds();
  const client = new ZohoClient({ apiBase: sb.apiBase, organizationId: seed.organizationId, tokens, clock: clientOpts.clock, limiter: clientOpts.limiter ?? new ZohoLimiter({ perMinute: 1e6, clock: clientOpts.clock }), backoffMs: clientOpts.backoffMs ?? 10 });
  return { sb, refresh, tokens, seed, client };
}

const invoiceBody = (seed: { customerId: string; itemIds: { sales: string } }, number: string) => ({
  customer_id: seed.customerId,
  invoice_number: number,
  date: '2026-01-15',
  line_items: [{ item_id: seed.itemIds.sales, rate: 12.34, quantity: 2 }],
});

describe('Zoho client', () => {
  it('refreshes the access token once for 25 concurrent callers (single flight) and caches it', async () => {
    const { sb, tokens, client } = await setup();
    try {
      const results = await Promise.all(Array.from({ length: 25 }, () => client.get('/contacts')));
      expect(results.every((r) => r.code === 0)).toBe(true);
      expect(tokens.refreshCount).toBe(1);
      expect(sb.sandbox.stats.tokensIssued).toBe(1);
      await client.get('/items');
      expect(sb.sandbox.stats.tokensIssued).toBe(1);
    } finally {
      await sb.close();
    }
  });

  it('refreshes once more when Zoho says the access token expired, and the call goes through', async () => {
    const { sb, tokens, client } = await setup();
    try {
      await client.get('/contacts');
      sb.sandbox.expireAccessTokens();
      const r = await Promise.all([client.get('/contacts'), client.get('/items')]);
      expect(r.map((x) => x.code)).toEqual([0, 0]);
      expect(sb.sandbox.stats.outcomes['57-token']).toBe(2);
      expect(tokens.refreshCount).toBe(2);
    } finally {
      await sb.close();
    }
  });

  it('asks to reconnect when the refresh token was revoked', async () => {
    const { sb, refresh, client } = await setup();
    try {
      sb.sandbox.revokeRefreshToken(refresh);
      const e = await client.get('/contacts').catch((x: unknown) => x);
      expect(isZohoError(e, 'reconnect')).toBe(true);
      expect((e as Error).message).toMatch(/reconnect the organisation/i);
    } finally {
      await sb.close();
    }
  });

  it('treats code != 0 as a failure even with HTTP 200, keeping the full body', async () => {
    const fake = Fastify();
    const body = '{"code":1002,"message":"Invoice does not exist.","invoice_id":"460000000000000123"}';
    fake.get('/books/v3/invoices/:id', async (_req, reply) => reply.code(200).type('application/json').send(body));
    await fake.listen({ port: 0, host: '127.0.0.1' });
    const port = (fake.server.address() as { port: number }).port;
    try {
      const tokens = new TokenManager({ accounts: 'http://127.0.0.1:1', credentials: async () => ({ clientId: '', clientSecret: '', refreshToken: '' }) });
      tokens.token = async () => ({ accessToken: 'x', expiresAt: Date.now() + 3600_000 });
      const client = new ZohoClient({ apiBase: `http://127.0.0.1:${port}/books/v3`, organizationId: '1', tokens });
      const e = (await client.get('/invoices/460000000000000123').catch((x: unknown) => x)) as ZohoError;
      expect(e).toBeInstanceOf(ZohoError);
      expect(e.kind).toBe('rejected');
      expect(e.details).toMatchObject({ code: 1002, httpStatus: 200, body, zohoMessage: 'Invoice does not exist.' });
    } finally {
      await fake.close();
    }
  });

  it('never retries a write blindly after a 5xx (the look-up then finds it applied)', async () => {
    // serverErrorRate 1: a first roll >= 0.5 lets the write through, a second roll < 0.5 fails it after applying.
    const rolls = [0.9, 0.1];
    const { sb, client, seed } = await setup({ faults: { serverErrorRate: 1 }, random: () => rolls.shift() ?? 0.9 });
    try {
      const e = (await client.post('/invoices', invoiceBody(seed, 'AMZN0000001'), { ignore_auto_number_generation: true }).catch((x: unknown) => x)) as ZohoError;
      expect(e.kind).toBe('uncertain');
      expect(e.details.httpStatus).toBe(500);
      expect(sb.sandbox.stats.byOperation['POST /invoices']).toBe(1);
      // It was applied: the look-up finds it, so the caller must not send it again.
      sb.sandbox.faults.serverErrorRate = 0;
      const found = await client.get('/invoices', { invoice_number: 'AMZN0000001' });
      expect((found.invoices as unknown[]).length).toBe(1);
      expect(sb.sandbox.stats.outcomes['500-after']).toBe(1);
    } finally {
      await sb.close();
    }
  });

  it('retries reads through 5xx and dropped connections', async () => {
    // Rolls: < 0.25 drops the connection, < 0.5 answers 500, else passes.
    const rolls = [0.0, 0.3, 0.99];
    const { sb, client } = await setup({ faults: { serverErrorRate: 0.5, dropRate: 0.5 }, random: () => rolls.shift() ?? 0.99 });
    try {
      const r = await client.get('/contacts');
      expect(r.code).toBe(0);
      expect(sb.sandbox.stats.outcomes).toMatchObject({ 'drop-before': 1, '500-before': 1, ok: 1 });
    } finally {
      await sb.close();
    }
  });

  it('backs off on 44 (per minute) and 1070 (concurrency) and then succeeds', async () => {
    const clock = new SimulatedClock();
    const { sb, client } = await setup({ clock, limits: { perMinute: 3 } }, { clock, backoffMs: 1000 });
    try {
      for (let i = 0; i < 7; i++) expect((await client.get('/contacts')).code).toBe(0);
      expect(sb.sandbox.stats.outcomes['44']).toBeGreaterThan(0);
      expect(sb.sandbox.stats.outcomes.ok).toBe(7);
    } finally {
      await sb.close();
    }
    const busy = await setup({ limits: { concurrency: 2 }, faults: { delayMs: 30 } });
    try {
      const r = await Promise.all(Array.from({ length: 8 }, () => busy.client.get('/contacts')));
      expect(r.every((x) => x.code === 0)).toBe(true);
      expect(busy.sb.sandbox.stats.outcomes['1070']).toBeGreaterThan(0);
    } finally {
      await busy.sb.close();
    }
  });

  it('keeps within the per-minute budget on its own (no 44 at all)', async () => {
    const clock = new SimulatedClock();
    const { sb, client } = await setup({ clock, limits: { perMinute: 5 } }, { clock, limiter: new ZohoLimiter({ perMinute: 5, clock }) });
    try {
      const t0 = clock.now();
      for (let i = 0; i < 12; i++) await client.get('/contacts');
      expect(sb.sandbox.stats.outcomes['44']).toBeUndefined();
      expect(clock.now() - t0).toBeGreaterThanOrEqual(120_000);
    } finally {
      await sb.close();
    }
  });

  it('stops at the daily limit (45) with the reset time and sends nothing more until then', async () => {
    const clock = new SimulatedClock(Date.UTC(2026, 0, 5, 22, 0, 0));
    const { sb, client } = await setup({ clock, limits: { perDay: 3 } }, { clock });
    try {
      for (let i = 0; i < 3; i++) await client.get('/contacts');
      const e = (await client.get('/contacts').catch((x: unknown) => x)) as ZohoError;
      expect(e.kind).toBe('daily-limit');
      expect(e.details.code).toBe(45);
      expect(new Date(e.details.resetAt!).toISOString()).toBe('2026-01-06T00:00:00.000Z');
      expect(e.message).toContain('2026-01-06T00:00:00.000Z');
      const calls = sb.sandbox.stats.outcomes['45'];
      await expect(client.get('/items')).rejects.toMatchObject({ kind: 'daily-limit' });
      expect(sb.sandbox.stats.outcomes['45']).toBe(calls);
      clock.advance(2 * 3600_000);
      expect((await client.get('/items')).code).toBe(0);
    } finally {
      await sb.close();
    }
  });

  it('serves every status, void and delete call of the contract: sent, void, publish, and deleting a payment makes its invoice due again', async () => {
    const { sb, client, seed } = await setup();
    try {
      const made = await client.post('/invoices', invoiceBody(seed, 'AMZN0000009'), { ignore_auto_number_generation: true });
      const invoiceId = String((made.invoice as { invoice_id: string }).invoice_id);
      await client.post(`/invoices/${invoiceId}/status/sent`, undefined);
      expect((await client.get(`/invoices/${invoiceId}`)).invoice).toMatchObject({ status: 'sent', balance: 24.68 });
      const paid = await client.post('/customerpayments', { customer_id: seed.customerId, payment_mode: 'banktransfer', amount: 24.68, date: '2026-01-20', reference_number: 'S-9', invoices: [{ invoice_id: invoiceId, amount_applied: 24.68 }] });
      const paymentId = String((paid.payment as { payment_id: string }).payment_id);
      // A paid invoice is not voided while its payment stands.
      await expect(client.post(`/invoices/${invoiceId}/status/void`, undefined)).rejects.toMatchObject({ kind: 'rejected', details: { code: 2 } });
      await client.delete(`/customerpayments/${paymentId}`);
      expect((await client.get(`/invoices/${invoiceId}`)).invoice).toMatchObject({ status: 'sent', balance: 24.68 });
      await expect(client.get(`/customerpayments/${paymentId}`)).rejects.toMatchObject({ kind: 'rejected', details: { code: 1002 } });
      await client.post(`/invoices/${invoiceId}/status/void`, undefined);
      expect((await client.get(`/invoices/${invoiceId}`)).invoice).toMatchObject({ status: 'void', balance: 0 });

      const lines = [
        { account_id: seed.accountIds.fees, debit_or_credit: 'debit' as const, amount: 3 },
        { account_id: seed.accountIds.clearing, debit_or_credit: 'credit' as const, amount: 3 },
      ];
      const j = await client.post('/journals', { journal_date: '2026-01-20', reference_number: 'S-9', line_items: lines });
      const journalId = String((j.journal as { journal_id: string }).journal_id);
      await client.post(`/journals/${journalId}/status/publish`, undefined);
      expect((await client.get(`/journals/${journalId}`)).journal).toMatchObject({ status: 'published' });
      await client.delete(`/journals/${journalId}`);
      expect((await client.get('/journals', { reference_number: 'S-9' })).journals).toEqual([]);
      expect(sb.sandbox.stats.byOperation).toMatchObject({ 'POST /invoices/{invoice_id}/status/void': 2, 'DELETE /customerpayments/{payment_id}': 1, 'DELETE /journals/{journal_id}': 1 });
    } finally {
      await sb.close();
    }
  });
});

describe('Zoho data centres and JSON', () => {
  it('knows every data centre, Canada on zohocloud.ca, and lets the sandbox override the hosts', () => {
    expect(endpointsFor('ca')).toEqual({ accounts: 'https://accounts.zohocloud.ca', api: 'https://www.zohoapis.ca/books/v3' });
    expect(endpointsFor('eu').api).toBe('https://www.zohoapis.eu/books/v3');
    expect(endpointsFor('com.au').accounts).toBe('https://accounts.zoho.com.au');
    expect(endpointsFor('com', { accounts: 'http://127.0.0.1:9/', api: 'http://127.0.0.1:9/books/v3/' })).toEqual({ accounts: 'http://127.0.0.1:9', api: 'http://127.0.0.1:9/books/v3' });
  });

  it('never rounds a long id that arrives as a JSON number', () => {
    const v = parseZohoJson('{"a":73985000000430759,"b":"73985000000430759","c":12.5,"d":-9007199254740993,"e":[1,460000000000000001],"f":"x\\"73985000000430759"}') as Record<string, unknown>;
    expect(v).toEqual({ a: '73985000000430759', b: '73985000000430759', c: 12.5, d: '-9007199254740993', e: [1, '460000000000000001'], f: 'x"73985000000430759' });
  });

});
