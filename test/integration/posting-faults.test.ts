/**
 * Exactly once under faults: the sandbox answers 10% of calls with 5xx (half of them after the
 * write was applied), 5% with 429 code 44, and drops 4% of connections (half after applying). Every
 * document must end up in Zoho once, every item done, and the id map must equal the sandbox.
 */
import { idMapOfBatch } from '../../server/posting/idmap';
import { postBatch } from '../../server/posting/worker';
import { listBatchItems, requireBatch } from '../../server/store/batches';
import { BACKENDS, openTestBackend, type TestBackend } from './backends';
import { approvedBatch, connectSandbox, makeDocuments, sandboxCensus, seededRandom, startSandbox, testSecrets } from './zoho-fixtures';

describe.each(BACKENDS)('posting under Zoho faults (%s)', (backend) => {
  let b: TestBackend;
  beforeEach(async () => {
    b = await openTestBackend(backend);
  });
  afterEach(async () => {
    await b.cleanup();
  });

  it('posts every document exactly once with 10% 5xx, 5% 429 and dropped connections', async () => {
    const sb = await startSandbox({ random: seededRandom(backend === 'sqlite' ? 11 : 12), faults: { serverErrorRate: 0.1, rateLimitRate: 0.05, dropRate: 0.04 } });
    try {
      const { secrets } = testSecrets(b.store);
      const connection = await connectSandbox(b.store, secrets, sb);
      const documents = makeDocuments(sb.sandbox.state.seedIds(), { settlements: 40, invoicesPer: 8, prefix: 'F' });
      const batchId = await approvedBatch(b.store, connection, documents);
      const outcome = await postBatch({ store: b.store, secrets, audit: b.audit }, batchId, {
        concurrency: 5,
        clientOptions: { backoffMs: 20, perMinute: 1_000_000 },
        sleep: (ms) => new Promise((r) => setTimeout(r, Math.min(ms, 50))),
      });
      expect(outcome.message).toBe(`Posted all ${documents.length} documents to Zoho Books.`);
      expect(outcome.state).toBe('done');
      // The faults really happened, including after-apply ones (the dangerous kind).
      const o = sb.sandbox.stats.outcomes;
      expect(o['500-after']).toBeGreaterThan(0);
      expect(o['drop-after']).toBeGreaterThan(0);
      expect(o['44']).toBeGreaterThan(0);

      const census = sandboxCensus(sb, documents);
      expect(census.duplicates).toEqual([]);
      expect(census.missing).toEqual([]);
      expect(census.unexpected).toEqual([]);
      expect(census.unpaid).toEqual([]);
      expect(census.totals).toEqual({ invoices: 320, payments: 40, journals: 40 });

      const items = await listBatchItems(b.store, batchId);
      expect(items.filter((i) => i.state !== 'done')).toEqual([]);
      const map = await idMapOfBatch(b.store, batchId);
      expect(new Map(map.map((e) => [e.idempotencyKey, e.zohoId]))).toEqual(census.idsByKey);
      expect(map.every((e) => /^\d{18}$/.test(e.zohoId))).toBe(true);
      expect((await requireBatch(b.store, batchId)).state).toBe('done');
    } finally {
      await sb.close();
    }
  });
});
