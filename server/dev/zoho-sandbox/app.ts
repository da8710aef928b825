/**
 * Over 400 lines on purpose: the sandbox's whole HTTP surface (OAuth, limits, faults, one handler per contract operation) reads in one place.
 *
 * A Zoho Books v3 stand-in on loopback, for `npm start`, the tests and the benchmark. It answers
 * like Zoho does (envelope { code, message, <entity> }, code 0 = success, Zoho's error codes and
 * HTTP statuses), validates every query and body against the request contract (server/zoho/contract.ts,
 * the same one the client's types come from; a field outside it is refused), enforces the
 * per-minute (44), daily (45) and concurrency (1070) limits, and can inject faults: 5xx and dropped
 * connections both before and after the write is applied (the hard case for exactly-once), spurious
 * 429s, latency and expired access tokens.
 */
import { randomBytes } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { checkRequest, operation, ZOHO_OPERATIONS, type OperationName, type ParsedBody, type ParsedQuery } from '../../zoho/contract';
import { money, SandboxState, toCents, type Invoice, type Journal, type OrgBooks, type Payment } from './state';

export interface SandboxFaults {
  /** Share of API calls answered HTTP 500 code 1000; half of them after the write was applied. */
  serverErrorRate: number;
  /** Share of API calls answered HTTP 429 code 44 although under the limit (nothing applied). */
  rateLimitRate: number;
  /** Share of API calls whose connection is dropped without an answer; half after the write was applied. */
  dropRate: number;
  /** Latency added to every API call, ms. */
  delayMs: number;
}

export interface SandboxLimits {
  perMinute: number;
  /** Default from the organisation's plan (Free 1,000 · Standard 2,000 · Professional 5,000 · Premium 10,000). */
  perDay?: number;
  /** Default from the plan (Free 5, paid 10). */
  concurrency?: number;
  tokenTtlSeconds: number;
  /** Access tokens one refresh token may mint per 10 minutes. */
  tokensPer10Minutes: number;
}

export interface SandboxClock {
  now(): number;
}

export interface SandboxOptions {
  dataDir?: string;
  clock?: SandboxClock;
  limits?: Partial<SandboxLimits>;
  faults?: Partial<SandboxFaults>;
  /** Random source for fault injection (tests pass a seeded one). */
  random?: () => number;
  /** Awaited before a validated write is applied (late-writes.ts holds a write there until its client is gone). */
  beforeWrite?: WriteHook;
}

/** A write about to be applied: which operation, its body, and the request (its socket tells whether the client still waits). */
export type WriteHook = (w: { method: string; template: string; body: unknown; req: FastifyRequest }) => Promise<void>;

export interface SandboxStats {
  apiCalls: number;
  /** Calls by outcome: ok, or the Zoho code / fault name. */
  outcomes: Record<string, number>;
  tokensIssued: number;
  byOperation: Record<string, number>;
}

const DAILY_BY_PLAN = { free: 1000, standard: 2000, professional: 5000, premium: 10000 } as const;

class ZohoFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

interface TokenInfo {
  clientId: string;
  expiresAt: number;
  refreshToken: string;
}

interface RefreshInfo {
  clientId: string;
  clientSecret: string;
  revoked: boolean;
  minted: number[];
}

type Handler<N extends OperationName> = (a: {
  books: OrgBooks;
  query: ParsedQuery<N>;
  body: ParsedBody<N>;
  params: Record<string, string>;
}) => HandlerResult;
type HandlerResult = { status?: number; message: string; entity?: [string, unknown]; extra?: Record<string, unknown> };

export interface Sandbox {
  app: FastifyInstance;
  state: SandboxState;
  faults: SandboxFaults;
  limits: SandboxLimits;
  stats: SandboxStats;
  /** Every access token stops working now (the next call gets 401; the client must refresh). */
  expireAccessTokens(): void;
  /** The refresh token stops working (the user revoked the app in Zoho). */
  revokeRefreshToken(token: string): void;
  /** Issues a refresh token as the consent screen would (tests; the token endpoint does it for grant codes). */
  issueRefreshToken(clientId: string, clientSecret: string): string;
  resetCounters(): void;
}

export function createSandbox(opts: SandboxOptions = {}): Sandbox {
  const clock = opts.clock ?? { now: () => Date.now() };
  const random = opts.random ?? Math.random;
  const state = new SandboxState({ dataDir: opts.dataDir });
  const faults: SandboxFaults = { serverErrorRate: 0, rateLimitRate: 0, dropRate: 0, delayMs: 0, ...opts.faults };
  const limits: SandboxLimits = { perMinute: 100, tokenTtlSeconds: 3600, tokensPer10Minutes: 10, ...opts.limits };
  const stats: SandboxStats = { apiCalls: 0, outcomes: {}, tokensIssued: 0, byOperation: {} };
  const tokens = new Map<string, TokenInfo>();
  // Refresh tokens live in the saved state, so a connection made in the demo survives a restart.
  const refreshTokens = {
    get: (t: string) => state.data.refreshTokens?.[t] as RefreshInfo | undefined,
    set: (t: string, info: RefreshInfo) => {
      (state.data.refreshTokens ??= {})[t] = info;
      state.changed();
    },
  };
  const usedGrantCodes = new Set<string>();
  const minuteWindow = new Map<string, number[]>();
  const daily = new Map<string, { day: number; count: number }>();
  const inFlight = new Map<string, number>();

  const count = (key: string) => (stats.outcomes[key] = (stats.outcomes[key] ?? 0) + 1);

  const app = Fastify({ logger: false, bodyLimit: 20 * 1024 * 1024 });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(String(body))));
  });

  function issueRefreshToken(clientId: string, clientSecret: string): string {
    const token = `1000.${randomBytes(16).toString('hex')}.${randomBytes(16).toString('hex')}`;
    refreshTokens.set(token, { clientId, clientSecret, revoked: false, minted: [] });
    return token;
  }

  function mintAccessToken(refreshToken: string, clientId: string): { access_token: string; expires_in: number } {
    const access = `1000.${randomBytes(16).toString('hex')}.${randomBytes(16).toString('hex')}`;
    tokens.set(access, { clientId, refreshToken, expiresAt: clock.now() + limits.tokenTtlSeconds * 1000 });
    stats.tokensIssued++;
    return { access_token: access, expires_in: limits.tokenTtlSeconds };
  }

  // OAuth: Zoho takes the parameters in the query string or a form body and answers HTTP 200 with
  // { error } on failure.
  app.post('/oauth/v2/token', async (req, reply) => {
    const p = { ...(req.query as Record<string, string>), ...((req.body as Record<string, string> | undefined) ?? {}) };
    const apiDomain = `http://${req.headers.host}`;
    const fail = (error: string, extra: Record<string, string> = {}) => reply.code(200).send({ error, ...extra });
    if (!p.client_id || !p.client_secret) return fail('invalid_client');
    if (p.grant_type === 'authorization_code') {
      if (!p.code || usedGrantCodes.has(p.code)) return fail('invalid_code');
      usedGrantCodes.add(p.code);
      // The sandbox accepts any grant code once, so the Connections page can be demonstrated.
      const refresh = issueRefreshToken(p.client_id, p.client_secret);
      const access = mintAccessToken(refresh, p.client_id);
      refreshTokens.get(refresh)!.minted.push(clock.now());
      return { ...access, refresh_token: refresh, api_domain: apiDomain, token_type: 'Bearer', scope: 'ZohoBooks.fullaccess.all' };
    }
    if (p.grant_type === 'refresh_token') {
      const info = p.refresh_token ? refreshTokens.get(p.refresh_token) : undefined;
      if (!info || info.revoked) return fail('invalid_code');
      if (info.clientId !== p.client_id || info.clientSecret !== p.client_secret) return fail('invalid_client');
      const now = clock.now();
      info.minted = info.minted.filter((t) => now - t < 10 * 60_000);
      if (info.minted.length >= limits.tokensPer10Minutes) {
        return reply.code(400).send({
          error: 'Access Denied',
          error_description: 'You have made too many requests continuously. Please try again after some time.',
        });
      }
      info.minted.push(now);
      state.changed();
      return { ...mintAccessToken(p.refresh_token, p.client_id), api_domain: apiDomain, token_type: 'Bearer' };
    }
    return fail('unsupported_grant_type');
  });

  function sendZoho(reply: FastifyReply, status: number, body: Record<string, unknown>) {
    return reply.code(status).type('application/json;charset=UTF-8').send(JSON.stringify(body));
  }

  function dropConnection(req: FastifyRequest, reply: FastifyReply) {
    reply.hijack();
    req.raw.socket.destroy();
  }

  async function delay(ms: number) {
    if (ms > 0) await new Promise((r) => setTimeout(r, ms));
  }

  /** Registers a Books API route for a contract operation; requests are validated against the contract. */
  const served = new Set<OperationName>();
  function api<N extends OperationName>(name: N, handler: Handler<N>) {
    served.add(name);
    const { method, path: template, organization: needsOrganization } = operation(name);
    const url = '/books/v3' + template.replace(/\{(\w+)\}/g, ':$1');
    app.route({
      method,
      url,
      handler: async (req, reply) => {
        const auth = /^Zoho-oauthtoken\s+(\S+)$/.exec(req.headers.authorization ?? '');
        const tok = auth ? tokens.get(auth[1]) : undefined;
        if (!tok || tok.expiresAt <= clock.now()) {
          count('57-token');
          return sendZoho(reply, 401, { code: 57, message: 'You are not authorized to perform this operation (the OAuth access token is invalid or has expired).' });
        }
        const query = Object.fromEntries(Object.entries(req.query as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
        const orgId = query.organization_id ?? state.data.books[0]?.org.organization_id;
        const books = orgId ? state.books(orgId) : undefined;
        if (needsOrganization && query.organization_id === undefined) {
          count('6041');
          return sendZoho(reply, 400, { code: 6041, message: 'Organization ID is not passed. Please pass the organization_id parameter.' });
        }
        if (!books) {
          count('6041');
          return sendZoho(reply, 400, { code: 6041, message: `This user is not associated with the organization ${orgId}.` });
        }
        const plan = books.org.plan;
        const perDay = limits.perDay ?? DAILY_BY_PLAN[plan];
        const concurrency = limits.concurrency ?? (plan === 'free' ? 5 : 10);
        const now = clock.now();
        // Daily limit first: once it is reached nothing else counts until the reset.
        const day = Math.floor(now / 86_400_000);
        const d = daily.get(orgId) ?? { day, count: 0 };
        if (d.day !== day) Object.assign(d, { day, count: 0 });
        daily.set(orgId, d);
        if (d.count >= perDay) {
          count('45');
          const reset = Math.ceil(((day + 1) * 86_400_000 - now) / 1000);
          reply.header('X-Rate-Limit-Limit', String(perDay)).header('X-Rate-Limit-Remaining', '0').header('X-Rate-Limit-Reset', String(reset));
          return sendZoho(reply, 429, { code: 45, message: `You have exceeded the maximum number of API calls (${perDay}) allowed for a day. Please try again after ${reset} seconds.` });
        }
        const window = (minuteWindow.get(orgId) ?? []).filter((t) => now - t < 60_000);
        minuteWindow.set(orgId, window);
        if (window.length >= limits.perMinute || (faults.rateLimitRate > 0 && random() < faults.rateLimitRate)) {
          count('44');
          return sendZoho(reply, 429, { code: 44, message: 'You have made too many requests within a minute. Please try again after some time.' });
        }
        const busy = inFlight.get(orgId) ?? 0;
        if (busy >= concurrency) {
          count('1070');
          return sendZoho(reply, 429, { code: 1070, message: `You have exceeded the maximum number of concurrent API calls (${concurrency}). Please try again later.` });
        }
        window.push(now);
        d.count++;
        stats.apiCalls++;
        stats.byOperation[`${method} ${template}`] = (stats.byOperation[`${method} ${template}`] ?? 0) + 1;
        reply.header('X-Rate-Limit-Limit', String(perDay)).header('X-Rate-Limit-Remaining', String(perDay - d.count));
        inFlight.set(orgId, busy + 1);
        try {
          await delay(faults.delayMs);
          const checked = checkRequest(name, { query, body: req.body });
          if (!checked.ok) {
            count('2');
            return sendZoho(reply, 400, { code: 2, message: `Invalid value passed for ${checked.violation.field}: ${checked.violation.problem}.` });
          }
          // Faults before the write: nothing applied. (A roll is drawn only when a fault is set, so
          // tests can script the sequence; "half after" is approximate: rate/2 of the calls that passed.)
          const faulty = faults.dropRate > 0 || faults.serverErrorRate > 0;
          const roll = faulty ? random() : 1;
          if (roll < faults.dropRate / 2) {
            count('drop-before');
            return dropConnection(req, reply);
          }
          if (roll < faults.dropRate / 2 + faults.serverErrorRate / 2) {
            count('500-before');
            return sendZoho(reply, 500, { code: 1000, message: 'Internal error' });
          }
          if (method !== 'GET') await opts.beforeWrite?.({ method, template, body: req.body, req });
          let out: HandlerResult;
          try {
            out = handler({ books, query: checked.query, body: checked.body, params: req.params as Record<string, string> });
          } catch (e) {
            if (e instanceof ZohoFailure) {
              count(String(e.code));
              return sendZoho(reply, e.status, { code: e.code, message: e.message });
            }
            throw e;
          }
          // Faults after the write: applied, but the caller never hears of it.
          if (faulty && method !== 'GET') {
            const after = random();
            if (after < faults.dropRate / 2) {
              count('drop-after');
              return dropConnection(req, reply);
            }
            if (after < faults.dropRate / 2 + faults.serverErrorRate / 2) {
              count('500-after');
              return sendZoho(reply, 500, { code: 1000, message: 'Internal error' });
            }
          }
          count('ok');
          const body: Record<string, unknown> = { code: 0, message: out.message };
          if (out.entity) body[out.entity[0]] = out.entity[1];
          Object.assign(body, out.extra ?? {});
          return sendZoho(reply, out.status ?? 200, body);
        } finally {
          inFlight.set(orgId, (inFlight.get(orgId) ?? 1) - 1);
        }
      },
    });
  }

  const fail = (code: number, message: string, status = 400) => new ZohoFailure(status, code, message);
  const nowIso = () => new Date(clock.now()).toISOString().replace(/\.\d{3}Z$/, '+0000');

  /** One page of a list (the contract already holds page ≥ 1 and per_page within 1..200). */
  function page<T>(query: { page?: number; per_page?: number }, list: T[], key: string): { message: string; entity: [string, unknown]; extra: Record<string, unknown> } {
    const p = query.page ?? 1;
    const per = query.per_page ?? 200;
    const slice = list.slice((p - 1) * per, p * per);
    return { message: 'success', entity: [key, slice], extra: { page_context: { page: p, per_page: per, has_more_page: p * per < list.length } } };
  }

  const match = (want: string | undefined, have: string) => want === undefined || want === have;
  /** A list's date filters: the day itself, or from date_start to date_end (yyyy-mm-dd compare as text). */
  const onDates = (q: { date?: string; date_start?: string; date_end?: string }, have: string) =>
    match(q.date, have) && (q.date_start === undefined || have >= q.date_start) && (q.date_end === undefined || have <= q.date_end);

  function contactOf(books: OrgBooks, id: unknown) {
    const c = books.contacts.find((x) => x.contact_id === id);
    if (!c) throw fail(1002, 'Contact does not exist.', 404);
    return c;
  }
  function accountOf(books: OrgBooks, id: unknown) {
    const a = books.accounts.find((x) => x.account_id === id);
    if (!a) throw fail(1002, `Account ${String(id)} does not exist.`, 404);
    return a;
  }

  function showInvoice(inv: Invoice) {
    const { totalCents, balanceCents, ...rest } = inv;
    return { ...rest, total: money(totalCents), balance: money(balanceCents) };
  }
  function showPayment(p: Payment) {
    const { amountCents, unusedCents, invoices, ...rest } = p;
    return {
      ...rest,
      amount: money(amountCents),
      unused_amount: money(unusedCents),
      invoices: invoices.map((i) => ({ invoice_id: i.invoice_id, invoice_number: i.invoice_number, amount_applied: money(i.appliedCents) })),
    };
  }
  function showJournal(j: Journal) {
    const { totalCents, line_items, ...rest } = j;
    return { ...rest, total: money(totalCents), line_items: line_items.map(({ amountCents, ...l }) => ({ ...l, amount: money(amountCents) })) };
  }

  // Organisations: the one call without organization_id.
  api('listOrganizations', () => ({ message: 'success', entity: ['organizations', state.data.books.map((b) => b.org)] }));

  api('listContacts', ({ books, query }) => page(query, books.contacts.filter((c) => match(query.contact_name, c.contact_name)), 'contacts'));
  api('createContact', ({ books, body }) => {
    const c = { contact_id: state.newId(), contact_name: body.contact_name, contact_type: body.contact_type ?? 'customer', currency_code: books.org.currency_code };
    books.contacts.push(c);
    state.changed();
    return { status: 201, message: 'The contact has been added.', entity: ['contact', c] };
  });
  api('listItems', ({ books, query }) => page(query, books.items.filter((i) => match(query.name, i.name)), 'items'));
  api('createItem', ({ books, body }) => {
    const i = { item_id: state.newId(), name: body.name, rate: body.rate, sku: body.sku, account_id: body.account_id === undefined ? undefined : accountOf(books, body.account_id).account_id };
    books.items.push(i);
    state.changed();
    return { status: 201, message: 'The item has been added.', entity: ['item', i] };
  });
  api('listAccounts', ({ books, query }) => page(query, books.accounts, 'chartofaccounts'));
  api('createAccount', ({ books, body }) => {
    const a = { account_id: state.newId(), account_name: body.account_name, account_type: body.account_type, account_code: body.account_code };
    books.accounts.push(a);
    state.changed();
    return { status: 201, message: 'The account has been created.', entity: ['account', a] };
  });

  api('createInvoice', ({ books, query, body }) => {
    const orgId = books.org.organization_id;
    const customer = contactOf(books, body.customer_id);
    let number = body.invoice_number ?? '';
    if (query.ignore_auto_number_generation === true) {
      if (!number) throw fail(2, 'Invalid value passed for invoice_number: give the number when ignore_auto_number_generation is true.');
    } else if (number) {
      throw fail(2, 'Invalid value passed for invoice_number: auto number generation is on; pass ignore_auto_number_generation=true to set your own.');
    } else {
      number = `INV-${String(books.invoices.length + 1).padStart(6, '0')}`;
    }
    if (number.length > 100) throw fail(15, 'Please ensure that the invoice_number has less than 100 characters.');
    if (state.invoiceByNo(orgId, number)) throw fail(1001, `Invoice ${number} already exists`);
    const lines = body.line_items.map((l) => {
      const item = books.items.find((i) => i.item_id === l.item_id);
      if (!item) throw fail(1002, `Item ${l.item_id} does not exist.`, 404);
      const rate = l.rate ?? item.rate;
      const quantity = l.quantity ?? 1;
      const rateCents = toCents(rate);
      if (rateCents === undefined) throw fail(2, 'Invalid value passed for rate: at most 2 decimals.');
      const totalCents = Math.round(rateCents * quantity);
      return { line: { line_item_id: state.newId(), item_id: item.item_id, name: l.name ?? item.name, description: l.description ?? '', rate, quantity, item_total: money(totalCents) }, totalCents };
    });
    const total = lines.reduce((s, l) => s + l.totalCents, 0);
    const inv: Invoice = {
      invoice_id: state.newId(),
      invoice_number: number,
      customer_id: customer.contact_id,
      customer_name: customer.contact_name,
      date: body.date ?? new Date(clock.now()).toISOString().slice(0, 10),
      reference_number: body.reference_number ?? '',
      status: 'draft',
      currency_code: books.org.currency_code,
      totalCents: total,
      balanceCents: total,
      line_items: lines.map((l) => l.line),
      notes: body.notes ?? '',
      created_time: nowIso(),
    };
    state.addInvoice(books, inv);
    return { status: 201, message: 'The invoice has been created.', entity: ['invoice', showInvoice(inv)] };
  });
  api('listInvoices', ({ books, query }) =>
    page(query, books.invoices.filter((i) => match(query.invoice_number, i.invoice_number) && match(query.reference_number, i.reference_number) && match(query.customer_id, i.customer_id) && onDates(query, i.date)).map(showInvoice), 'invoices'),
  );
  api('getInvoice', ({ books, params }) => {
    const inv = state.invoice(books.org.organization_id, params.invoice_id);
    if (!inv) throw fail(1002, 'Invoice does not exist.', 404);
    return { message: 'success', entity: ['invoice', showInvoice(inv)] };
  });
  api('markInvoiceSent', ({ books, params }) => {
    const inv = state.invoice(books.org.organization_id, params.invoice_id);
    if (!inv) throw fail(1002, 'Invoice does not exist.', 404);
    if (inv.status === 'draft') inv.status = 'sent';
    state.changed();
    return { message: 'Invoice status has been changed to Sent.' };
  });
  api('voidInvoice', ({ books, params }) => {
    const inv = state.invoice(books.org.organization_id, params.invoice_id);
    if (!inv) throw fail(1002, 'Invoice does not exist.', 404);
    // The sandbox's simplification of Zoho's rule: payments applied to it must be deleted first.
    if (inv.balanceCents !== inv.totalCents && inv.status !== 'void') throw fail(2, `Invoice ${inv.invoice_number} has payments recorded; delete them before voiding it.`);
    inv.status = 'void';
    inv.balanceCents = 0;
    state.changed();
    return { message: 'Invoice status has been changed to Void.' };
  });

  api('createPayment', ({ books, body }) => {
    const orgId = books.org.organization_id;
    const customer = contactOf(books, body.customer_id);
    const amount = toCents(body.amount);
    if (amount === undefined || amount < 0) throw fail(2, 'Invalid value passed for amount');
    const account = body.account_id === undefined ? undefined : accountOf(books, body.account_id);
    const applications = body.invoices.map((a) => ({ inv: state.invoice(orgId, a.invoice_id), applied: toCents(a.amount_applied) }));
    if (applications.some((a) => !a.inv || a.inv.customer_id !== customer.contact_id)) {
      throw fail(4038, "Some of the invoices for which you've chosen to record payments do not exist");
    }
    // Balance check over all applications to one invoice together (an invoice listed twice counts twice).
    const perInvoice = new Map<Invoice, number>();
    for (const a of applications) {
      if (a.applied === undefined || a.applied < 0) throw fail(2, 'Invalid value passed for amount_applied');
      perInvoice.set(a.inv!, (perInvoice.get(a.inv!) ?? 0) + a.applied);
    }
    for (const [inv, applied] of perInvoice) {
      if (applied > inv.balanceCents) throw fail(24016, 'The amount entered is more than the balance due for the selected invoices.');
    }
    const appliedTotal = [...perInvoice.values()].reduce((s, c) => s + c, 0);
    if (appliedTotal > amount) throw fail(2, 'The amount applied to invoices is more than the payment amount.');
    for (const [inv, applied] of perInvoice) {
      inv.balanceCents -= applied;
      inv.status = inv.balanceCents === 0 ? 'paid' : 'partially_paid';
    }
    const p: Payment = {
      payment_id: state.newId(),
      payment_number: String(books.payments.length + 1),
      customer_id: customer.contact_id,
      customer_name: customer.contact_name,
      payment_mode: body.payment_mode,
      date: body.date,
      reference_number: body.reference_number ?? '',
      description: body.description ?? '',
      account_id: account?.account_id ?? '',
      amountCents: amount,
      unusedCents: amount - appliedTotal,
      invoices: applications.map((a) => ({ invoice_id: a.inv!.invoice_id, invoice_number: a.inv!.invoice_number, appliedCents: a.applied! })),
      created_time: nowIso(),
    };
    books.payments.push(p);
    state.changed();
    return { status: 201, message: 'The payment has been created.', entity: ['payment', showPayment(p)] };
  });
  api('listPayments', ({ books, query }) =>
    page(query, books.payments.filter((p) => match(query.reference_number, p.reference_number) && match(query.customer_id, p.customer_id) && onDates(query, p.date)).map(showPayment), 'customerpayments'),
  );
  api('getPayment', ({ books, params }) => {
    const p = books.payments.find((x) => x.payment_id === params.payment_id);
    if (!p) throw fail(1002, 'Payment does not exist.', 404);
    return { message: 'success', entity: ['payment', showPayment(p)] };
  });
  api('deletePayment', ({ books, params }) => {
    const at = books.payments.findIndex((x) => x.payment_id === params.payment_id);
    if (at < 0) throw fail(1002, 'Payment does not exist.', 404);
    const [p] = books.payments.splice(at, 1);
    // The invoices it paid are due again.
    for (const a of p.invoices) {
      const inv = state.invoice(books.org.organization_id, a.invoice_id);
      if (!inv) continue;
      inv.balanceCents += a.appliedCents;
      inv.status = inv.balanceCents === inv.totalCents ? 'sent' : 'partially_paid';
    }
    state.changed();
    return { message: 'The payment has been deleted.' };
  });

  api('createJournal', ({ books, body }) => {
    const lines = body.line_items.map((l) => {
      const account = accountOf(books, l.account_id);
      const cents = toCents(l.amount);
      if (cents === undefined || cents < 0) throw fail(2, 'Invalid value passed for amount');
      return { line_id: state.newId(), account_id: account.account_id, account_name: account.account_name, debit_or_credit: l.debit_or_credit, amountCents: cents, description: l.description ?? '' };
    });
    if (lines.length < 2) throw fail(2, 'Invalid value passed for line_items: a journal needs at least two lines.');
    const debits = lines.filter((l) => l.debit_or_credit === 'debit').reduce((s, l) => s + l.amountCents, 0);
    const credits = lines.filter((l) => l.debit_or_credit === 'credit').reduce((s, l) => s + l.amountCents, 0);
    if (debits !== credits) throw fail(21004, 'The Debits and Credits do not match');
    const j: Journal = {
      journal_id: state.newId(),
      entry_number: String(books.journals.length + 1),
      journal_date: body.journal_date,
      reference_number: body.reference_number ?? '',
      notes: body.notes ?? '',
      status: 'draft',
      totalCents: debits,
      line_items: lines.map((l) => ({ ...l })),
      created_time: nowIso(),
    };
    books.journals.push(j);
    state.changed();
    return { status: 201, message: 'The journal entry has been created.', entity: ['journal', showJournal(j)] };
  });
  api('listJournals', ({ books, query }) =>
    page(query, books.journals.filter((j) => match(query.reference_number, j.reference_number) && match(query.entry_number, j.entry_number) && onDates(query, j.journal_date)).map(showJournal), 'journals'),
  );
  api('getJournal', ({ books, params }) => {
    const j = books.journals.find((x) => x.journal_id === params.journal_id);
    if (!j) throw fail(1002, 'Journal does not exist.', 404);
    return { message: 'success', entity: ['journal', showJournal(j)] };
  });
  api('publishJournal', ({ books, params }) => {
    const j = books.journals.find((x) => x.journal_id === params.journal_id);
    if (!j) throw fail(1002, 'Journal does not exist.', 404);
    j.status = 'published';
    state.changed();
    return { message: 'The journal has been published.' };
  });
  api('deleteJournal', ({ books, params }) => {
    const at = books.journals.findIndex((x) => x.journal_id === params.journal_id);
    if (at < 0) throw fail(1002, 'Journal does not exist.', 404);
    books.journals.splice(at, 1);
    state.changed();
    return { message: 'The journal entry has been deleted.' };
  });
  // Every operation of the contract is served: a call the client may make never meets "Invalid URL".
  const unserved = (Object.keys(ZOHO_OPERATIONS) as OperationName[]).filter((n) => !served.has(n));
  if (unserved.length) throw new Error(`The Zoho sandbox serves no handler for ${unserved.join(', ')}.`);

  app.setNotFoundHandler((req, reply) => sendZoho(reply, 404, { code: 5, message: 'Invalid URL Passed' }));
  app.setErrorHandler((err, _req, reply) => {
    const status = (err as { statusCode?: number }).statusCode ?? 500;
    if (status === 400) return sendZoho(reply, 400, { code: 4, message: 'Invalid value passed for JSONString' });
    return sendZoho(reply, status, { code: 1000, message: 'Internal error' });
  });
  app.addHook('onClose', async () => state.flush());

  return {
    app,
    state,
    faults,
    limits,
    stats,
    expireAccessTokens() {
      for (const t of tokens.values()) t.expiresAt = 0;
    },
    revokeRefreshToken(token) {
      const info = refreshTokens.get(token);
      if (info) {
        info.revoked = true;
        state.changed();
      }
    },
    issueRefreshToken,
    resetCounters() {
      minuteWindow.clear();
      daily.clear();
      stats.apiCalls = 0;
      stats.outcomes = {};
      stats.byOperation = {};
    },
  };
}
