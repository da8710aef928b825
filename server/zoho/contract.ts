/**
 * The Zoho Books v3 request contract: every call CloseDesk makes (operation, path, query parameters,
 * body), written by us from the API's documented facts. One table serves both sides:
 * - the client (client.ts) takes its path, query and body types from it, so a caller that sends a
 *   field we have not declared, or the wrong type, does not compile;
 * - the sandbox (server/dev/zoho-sandbox) validates every request against it at run time and
 *   refuses what Zoho would refuse (a misspelt field is an error, not silently dropped).
 * A contract test cross-checks the table against Zoho's published OpenAPI description when a copy
 * is available, so a field we invent or a field Zoho requires and we forgot is caught.
 *
 * Why zod: the server already validates every route's input with it, it gives the TypeScript types
 * and the run-time check from one declaration, `.strict()` refuses unknown fields, and its schemas
 * are plain data the contract test can walk. A hand-rolled validator would repeat all of that.
 *
 * Conventions (Zoho's): ids are numeric strings (beyond 2^53, never numbers); amounts are decimal
 * numbers (made from integer cents at the last moment); dates are yyyy-mm-dd; lists take `page`
 * and `per_page` (at most 200); every call but GET /organizations carries `organization_id`, which
 * the client adds itself and is therefore not part of the query shapes below.
 */
import { z } from 'zod';
import type { ZohoInvoiceBody, ZohoJournalBody, ZohoPaymentBody } from '../../src/settlements/documents';

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

const id = z.string();
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date as yyyy-mm-dd');
const amount = z.number().finite();
const paging = {
  page: z.number().int().min(1).optional(),
  per_page: z.number().int().min(1).max(200).optional(),
};
/** Invoices are searched by date, or a range of dates (`date_start` / `date_end`); payments and journals by date. */
const onDate = { date: isoDate.optional() };
const dated = { ...onDate, date_start: isoDate.optional(), date_end: isoDate.optional() };

/** Account types Zoho lists for the chart of accounts (the ones a settlement flow creates or maps). */
export const ACCOUNT_TYPES = [
  'other_asset',
  'other_current_asset',
  'cash',
  'bank',
  'fixed_asset',
  'other_current_liability',
  'credit_card',
  'long_term_liability',
  'equity',
  'income',
  'other_income',
  'expense',
  'cost_of_goods_sold',
  'other_expense',
  'accounts_receivable',
  'accounts_payable',
] as const;

const invoiceLine = z
  .object({
    /** Zoho requires an item on every line; the line's name defaults to the item's. */
    item_id: id,
    name: z.string().optional(),
    description: z.string().optional(),
    /** Unit price; the item's rate when absent. */
    rate: amount.optional(),
    quantity: z.number().finite().optional(),
  })
  .strict();

const createInvoice = z
  .object({
    customer_id: id,
    /** Our own number (unique per organisation) needs ignore_auto_number_generation=true. */
    invoice_number: z.string().min(1).optional(),
    date: isoDate.optional(),
    reference_number: z.string().optional(),
    notes: z.string().optional(),
    /** Multi-currency organisations only. */
    currency_id: id.optional(),
    line_items: z.array(invoiceLine).min(1),
  })
  .strict();

const createPayment = z
  .object({
    customer_id: id,
    /** Zoho's modes are check, cash, creditcard, banktransfer, bankremittance, autotransaction and others, plus any the organisation adds. */
    payment_mode: z.string().min(1).max(100),
    amount,
    date: isoDate,
    reference_number: z.string().optional(),
    description: z.string().optional(),
    invoices: z.array(z.object({ invoice_id: id, amount_applied: amount }).strict()),
    /** The account the payment is deposited to. */
    account_id: id.optional(),
  })
  .strict();

const createJournal = z
  .object({
    journal_date: isoDate,
    reference_number: z.string().optional(),
    notes: z.string().optional(),
    currency_id: id.optional(),
    line_items: z.array(
      z
        .object({
          account_id: id,
          debit_or_credit: z.enum(['debit', 'credit']),
          amount,
          description: z.string().optional(),
        })
        .strict(),
    ),
  })
  .strict();

const createContact = z
  .object({
    contact_name: z.string().min(1),
    contact_type: z.enum(['customer', 'vendor']).optional(),
    currency_id: id.optional(),
  })
  .strict();

const createItem = z
  .object({
    name: z.string().min(1),
    rate: amount,
    description: z.string().optional(),
    sku: z.string().optional(),
    /** The income account of the item's sales. */
    account_id: id.optional(),
  })
  .strict();

const createAccount = z
  .object({
    account_name: z.string().min(1),
    account_type: z.enum(ACCOUNT_TYPES),
    account_code: z.string().optional(),
    description: z.string().optional(),
  })
  .strict();

const noQuery = z.object({}).strict();

interface OperationSpec<M extends Method, P extends string, Q extends z.AnyZodObject, B extends z.AnyZodObject | undefined> {
  method: M;
  /** Path template below the API base, e.g. /invoices/{invoice_id}. */
  path: P;
  query: Q;
  body: B;
  /** Whether the call carries organization_id (all but GET /organizations). */
  organization: boolean;
}

function op<M extends Method, P extends string, Q extends z.AnyZodObject = typeof noQuery, B extends z.AnyZodObject | undefined = undefined>(
  method: M,
  path: P,
  o: { query?: Q; body?: B; organization?: boolean } = {},
): OperationSpec<M, P, Q, B> {
  return { method, path, query: (o.query ?? noQuery) as Q, body: o.body as B, organization: o.organization ?? true };
}

/** Every Zoho Books call CloseDesk makes, by name. */
export const ZOHO_OPERATIONS = {
  listOrganizations: op('GET', '/organizations', { organization: false }),

  listContacts: op('GET', '/contacts', { query: z.object({ contact_name: z.string().optional(), ...paging }).strict() }),
  createContact: op('POST', '/contacts', { body: createContact }),

  listItems: op('GET', '/items', { query: z.object({ name: z.string().optional(), ...paging }).strict() }),
  createItem: op('POST', '/items', { body: createItem }),

  listAccounts: op('GET', '/chartofaccounts', { query: z.object(paging).strict() }),
  createAccount: op('POST', '/chartofaccounts', { body: createAccount }),

  createInvoice: op('POST', '/invoices', { query: z.object({ ignore_auto_number_generation: z.boolean().optional() }).strict(), body: createInvoice }),
  listInvoices: op('GET', '/invoices', {
    query: z.object({ invoice_number: z.string().optional(), reference_number: z.string().optional(), customer_id: id.optional(), ...dated, ...paging }).strict(),
  }),
  getInvoice: op('GET', '/invoices/{invoice_id}'),
  markInvoiceSent: op('POST', '/invoices/{invoice_id}/status/sent'),
  voidInvoice: op('POST', '/invoices/{invoice_id}/status/void'),

  createPayment: op('POST', '/customerpayments', { body: createPayment }),
  listPayments: op('GET', '/customerpayments', { query: z.object({ reference_number: z.string().optional(), customer_id: id.optional(), ...onDate, ...paging }).strict() }),
  getPayment: op('GET', '/customerpayments/{payment_id}'),
  deletePayment: op('DELETE', '/customerpayments/{payment_id}'),

  createJournal: op('POST', '/journals', { body: createJournal }),
  listJournals: op('GET', '/journals', { query: z.object({ reference_number: z.string().optional(), entry_number: z.string().optional(), ...onDate, ...paging }).strict() }),
  getJournal: op('GET', '/journals/{journal_id}'),
  publishJournal: op('POST', '/journals/{journal_id}/status/publish'),
  deleteJournal: op('DELETE', '/journals/{journal_id}'),
} as const;

type Operations = typeof ZOHO_OPERATIONS;
export type OperationName = keyof Operations;
export type AnyOperation = OperationSpec<Method, string, z.AnyZodObject, z.AnyZodObject | undefined>;

/** '/invoices/{invoice_id}' → `/invoices/${string}`: the concrete paths a template stands for. */
type Filled<T extends string> = T extends `${infer A}{${string}}${infer B}` ? `${A}${string}${Filled<B>}` : T;
export type PathOf<N extends OperationName> = Filled<Operations[N]['path']>;
type NamesFor<M extends Method> = { [N in OperationName]: Operations[N]['method'] extends M ? N : never }[OperationName];
/** Every concrete path callable with method M. */
export type PathsFor<M extends Method> = { [N in NamesFor<M>]: PathOf<N> }[NamesFor<M>];
/** The operation a concrete method + path is. */
export type OperationAt<M extends Method, P extends string> = { [N in NamesFor<M>]: P extends PathOf<N> ? N : never }[NamesFor<M>];
/** The list calls: the ones that page. */
export type ListPath = PathOf<{ [N in NamesFor<'GET'>]: 'per_page' extends keyof QueryOf<N> ? N : never }[NamesFor<'GET'>]>;
/** What a caller passes (organization_id excluded: the client adds it). */
export type QueryOf<N extends OperationName> = z.input<Operations[N]['query']>;
export type BodyOf<N extends OperationName> = Operations[N]['body'] extends z.AnyZodObject ? z.input<Operations[N]['body']> : undefined;
/** What the sandbox's handler receives after validation. */
export type ParsedQuery<N extends OperationName> = z.output<Operations[N]['query']>;
export type ParsedBody<N extends OperationName> = Operations[N]['body'] extends z.AnyZodObject ? z.output<Operations[N]['body']> : undefined;

const matchers = (Object.keys(ZOHO_OPERATIONS) as OperationName[]).map((name) => {
  const o: AnyOperation = ZOHO_OPERATIONS[name];
  const re = new RegExp('^' + o.path.replace(/\{\w+\}/g, '[^/]+') + '$');
  return { name, method: o.method, re };
});

/** The operation a concrete request is, or undefined when it is not part of the contract. */
export function operationFor(method: string, path: string): OperationName | undefined {
  return matchers.find((m) => m.method === method && m.re.test(path))?.name;
}

export function operation(name: OperationName): AnyOperation {
  return ZOHO_OPERATIONS[name];
}

/** What is wrong with a request, in the terms Zoho's "Invalid value passed for …" answers use. */
export interface ContractViolation {
  /** Dotted field path (line_items.0.rate) or the query parameter's name. */
  field: string;
  problem: string;
}

export type Checked<N extends OperationName> = { ok: true; query: ParsedQuery<N>; body: ParsedBody<N> } | { ok: false; violation: ContractViolation };

/**
 * Checks a request as it arrives on the wire: query values are text (true/false, digits) and are
 * read by the type the contract declares before validation; organization_id is the caller's
 * concern and is left out here when the operation takes it.
 */
export function checkRequest<N extends OperationName>(name: N, wire: { query: Record<string, string>; body: unknown }): Checked<N> {
  const o = operation(name);
  const raw: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(wire.query)) {
    if (k === 'organization_id' && o.organization) continue;
    raw[k] = fromText(o.query.shape[k] as z.ZodTypeAny | undefined, v);
  }
  const q = o.query.safeParse(raw);
  if (!q.success) return { ok: false, violation: describe(q.error.issues[0]) };
  let body: unknown = undefined;
  if (o.body) {
    const b = o.body.safeParse(wire.body ?? {});
    if (!b.success) return { ok: false, violation: describe(b.error.issues[0]) };
    body = b.data;
  }
  return { ok: true, query: q.data as ParsedQuery<N>, body: body as ParsedBody<N> };
}

/** The base type under optional/default/effects wrappers (zod's own schema description). */
function baseOf(s: z.ZodTypeAny): z.ZodTypeAny {
  let t = s;
  for (;;) {
    if (t instanceof z.ZodOptional || t instanceof z.ZodNullable) t = t.unwrap();
    else if (t instanceof z.ZodDefault) t = t._def.innerType;
    else if (t instanceof z.ZodEffects) t = t.innerType();
    else return t;
  }
}

function fromText(schema: z.ZodTypeAny | undefined, v: string): unknown {
  if (!schema) return v;
  const t = baseOf(schema);
  if (t instanceof z.ZodBoolean) return v === 'true' ? true : v === 'false' ? false : v;
  if (t instanceof z.ZodNumber) return /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v;
  return v;
}

function describe(issue: z.ZodIssue | undefined): ContractViolation {
  if (!issue) return { field: 'the request', problem: 'not allowed' };
  const at = issue.path.join('.');
  if (issue.code === 'unrecognized_keys') return { field: [at, issue.keys[0]].filter(Boolean).join('.'), problem: 'the field is not part of this API' };
  if (issue.code === 'invalid_type' && issue.received === 'undefined') return { field: at, problem: 'it is required' };
  return { field: at || 'the request body', problem: issue.message };
}

// The engine builds settlement documents without the server (src cannot import server code), so
// their body types are declared there. These compile-time checks keep every field it sets inside
// the contract: a field the contract lacks, or of another type, fails the type check here.
type Within<A, B> = [A] extends [readonly (infer X)[]]
  ? [B] extends [readonly (infer Y)[]]
    ? Within<X, Y>
    : false
  : [A] extends [object]
    ? [B] extends [object]
      ? [Exclude<keyof A, keyof B>] extends [never]
        ? [{ [K in keyof A]-?: K extends keyof B ? Within<NonNullable<A[K]>, NonNullable<B[K]>> : false }[keyof A]] extends [true]
          ? true
          : false
        : false
      : false
    : [A] extends [B]
      ? true
      : false;
const engineBodiesWithinContract: [Within<ZohoInvoiceBody, BodyOf<'createInvoice'>>, Within<ZohoPaymentBody, BodyOf<'createPayment'>>, Within<ZohoJournalBody, BodyOf<'createJournal'>>] = [true, true, true];
void engineBodiesWithinContract;
