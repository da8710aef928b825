/**
 * Shared set-up for the Zoho and posting tests: a sandbox on loopback, a stored connection to it,
 * settlement documents in the contract's shape (src/settlements/documents.ts), and an approved batch.
 */
import { randomBytes } from 'node:crypto';
import type { InvoiceDocument, JournalDocument, PaymentDocument, SettlementDocument } from '../../src/settlements/documents';
import { testAudit } from './backends';
import { createSecrets, type Secrets } from '../../server/secrets';
import type { Store } from '../../server/store';
import { decideBatch } from '../../server/store/batches';
import { idMapOfBatch } from '../../server/posting/idmap';
import { preparePostingBatch } from '../../server/posting/prepare';
import { saveConnectionWithRefreshToken, type ZohoConnection } from '../../server/zoho/connections';
import { startZohoSandbox, type RunningSandbox, type SandboxOptions, type SeedIds } from '../../server/dev/zoho-sandbox';
import { approverUser, person } from './people';

export async function startSandbox(opts: SandboxOptions = {}): Promise<RunningSandbox> {
  return startZohoSandbox({ port: 0, ...opts, limits: { perMinute: 1_000_000, perDay: 10_000_000, ...opts.limits } });
}

export function testSecrets(store: Store, key = randomBytes(32)): { secrets: Secrets; masterKey: Buffer } {
  return { secrets: createSecrets(store, key), masterKey: key };
}

/**
 * The sandbox applies a write before it answers, so a write can only land late when a test holds
 * it (late-writes.ts): a short margin keeps look-ups after an unknown outcome quick.
 */
export async function connectSandbox(store: Store, secrets: Secrets, sb: RunningSandbox, name = 'Sandbox books', o: { timeoutMs?: number; lateWriteMarginMs?: number; perMinute?: number } = {}): Promise<ZohoConnection> {
  const refreshToken = sb.sandbox.issueRefreshToken('1000.TESTCLIENT', 'test-secret');
  const seed = sb.sandbox.state.seedIds();
  return saveConnectionWithRefreshToken(
    { store, secrets },
    {
      name,
      dataCentre: 'com',
      clientId: '1000.TESTCLIENT',
      clientSecret: 'test-secret',
      refreshToken,
      organizationId: seed.organizationId,
      accountsUrl: sb.url,
      apiUrl: sb.apiBase,
      createdBy: 'admin@test',
      timeoutMs: o.timeoutMs,
      perMinute: o.perMinute,
      lateWriteMarginMs: o.lateWriteMarginMs ?? 250,
    },
  );
}

/** A small deterministic PRNG so a failing run can be replayed from its seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * `settlements` settlements, each with `invoicesPer` invoices, one payment applying to all of them
 * and one balanced journal: settlements × (invoicesPer + 2) documents.
 */
export function makeDocuments(seed: SeedIds, o: { settlements: number; invoicesPer: number; prefix: string; random?: () => number }): SettlementDocument[] {
  const rnd = o.random ?? seededRandom(7);
  const docs: SettlementDocument[] = [];
  for (let s = 0; s < o.settlements; s++) {
    const settlementId = `${o.prefix}${String(s).padStart(5, '0')}`;
    const invoices: InvoiceDocument[] = [];
    for (let i = 0; i < o.invoicesPer; i++) {
      const rateCents = 100 + Math.floor(rnd() * 50_000);
      const qty = 1 + Math.floor(rnd() * 3);
      const number = `AMZN${settlementId}-${i}`;
      invoices.push({
        kind: 'invoice',
        idempotencyKey: `${settlementId}:invoice:${number}`,
        lookup: { invoice_number: number },
        currency: 'USD',
        cents: { total: rateCents * qty },
        sourceRows: [{ file: `${settlementId}.txt`, rows: [i + 2] }],
        settlementId,
        query: { ignore_auto_number_generation: true },
        body: {
          customer_id: seed.customerId,
          invoice_number: number,
          date: '2026-01-15',
          reference_number: `111-${settlementId}-${i}`,
          line_items: [{ item_id: seed.itemIds.sales, rate: rateCents / 100, quantity: qty, description: 'Principal' }],
        },
      });
    }
    const total = invoices.reduce((sum, d) => sum + d.cents.total, 0);
    const payment: PaymentDocument = {
      kind: 'payment',
      idempotencyKey: `${settlementId}:payment:${settlementId}`,
      lookup: { reference_number: settlementId },
      currency: 'USD',
      cents: { total },
      dependsOn: invoices.map((d) => d.idempotencyKey),
      sourceRows: [{ file: `${settlementId}.txt`, rows: [1] }],
      settlementId,
      body: {
        customer_id: seed.customerId,
        payment_mode: 'banktransfer',
        amount: total / 100,
        date: '2026-01-20',
        reference_number: settlementId,
        invoices: invoices.map((d) => ({ invoice_id: '', amount_applied: d.cents.total / 100 })),
        account_id: seed.accountIds.clearing,
      },
      applies: invoices.map((d) => ({ idempotencyKey: d.idempotencyKey, invoice_number: d.body.invoice_number, amountAppliedCents: d.cents.total })),
    };
    const fees = 100 + Math.floor(rnd() * 9_000);
    const journal: JournalDocument = {
      kind: 'journal',
      idempotencyKey: `${settlementId}:journal:${settlementId}`,
      lookup: { reference_number: settlementId },
      currency: 'USD',
      cents: { total: fees },
      sourceRows: [{ file: `${settlementId}.txt`, rows: [1] }],
      settlementId,
      body: {
        journal_date: '2026-01-20',
        reference_number: settlementId,
        notes: `Amazon settlement ${settlementId} fees`,
        line_items: [
          { account_id: seed.accountIds.fees, debit_or_credit: 'debit', amount: fees / 100, description: 'Commission' },
          { account_id: seed.accountIds.clearing, debit_or_credit: 'credit', amount: fees / 100, description: 'Clearing' },
        ],
      },
    };
    docs.push(...invoices, payment, journal);
  }
  return docs;
}

export async function approvedBatch(store: Store, connection: ZohoConnection, documents: SettlementDocument[]): Promise<string> {
  const audit = testAudit(store);
  const batch = await preparePostingBatch({ store, audit }, { connectionId: connection.id, documents, preparedBy: person('maker@test') });
  await decideBatch(store, { id: batch.id, version: batch.version, user: approverUser('checker@test'), decision: 'approved' });
  return batch.id;
}

/** What the sandbox holds for the documents: how many of each number/reference, and their ids. */
export function sandboxCensus(sb: RunningSandbox, documents: SettlementDocument[]) {
  const books = sb.sandbox.state.data.books[0];
  const count = new Map<string, string[]>();
  const add = (key: string, id: string) => count.set(key, [...(count.get(key) ?? []), id]);
  for (const i of books.invoices) add(`invoice:${i.invoice_number}`, i.invoice_id);
  for (const p of books.payments) add(`payment:${p.reference_number}`, p.payment_id);
  for (const j of books.journals) add(`journal:${j.reference_number}`, j.journal_id);
  const expected = new Map(documents.map((d) => [d.kind === 'invoice' ? `invoice:${d.body.invoice_number}` : `${d.kind}:${d.body.reference_number}`, d.idempotencyKey]));
  const duplicates = [...count].filter(([, ids]) => ids.length > 1).map(([k]) => k);
  const missing = [...expected.keys()].filter((k) => !count.has(k));
  const unexpected = [...count.keys()].filter((k) => !expected.has(k));
  /** idempotency key → the sandbox's id (first one when duplicated). */
  const idsByKey = new Map([...expected].filter(([k]) => count.has(k)).map(([k, key]) => [key, count.get(k)![0]]));
  const unpaid = books.invoices.filter((i) => i.balanceCents !== 0).map((i) => i.invoice_number);
  return { duplicates, missing, unexpected, idsByKey, unpaid, totals: { invoices: books.invoices.length, payments: books.payments.length, journals: books.journals.length } };
}

/**
 * Every document of the batch is in the sandbox exactly once (none missing, none extra, every invoice
 * paid once) and the batch's id map names the copies the sandbox holds. Returns the census.
 */
export async function expectPostedOnce(store: Store, sb: RunningSandbox, documents: SettlementDocument[], batchId: string): Promise<ReturnType<typeof sandboxCensus>> {
  const census = sandboxCensus(sb, documents);
  expect(census.duplicates).toEqual([]);
  expect(census.missing).toEqual([]);
  expect(census.unexpected).toEqual([]);
  expect(census.unpaid).toEqual([]);
  const map = await idMapOfBatch(store, batchId);
  expect(new Map(map.map((e) => [e.idempotencyKey, e.zohoId]))).toEqual(census.idsByKey);
  return census;
}
