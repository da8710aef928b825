/**
 * The proof of "nothing sent twice, nothing lost": 2,000 documents posted by `closedesk post` in a
 * child process that is killed with SIGKILL at 20 random moments and restarted. Afterwards the
 * sandbox holds every document exactly once, every invoice is paid exactly once, and the store's
 * id map equals the sandbox.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { idMapOfBatch } from '../../server/posting/idmap';
import { listBatchItems } from '../../server/store/batches';
import { openTestBackend, type Backend, type TestBackend } from './backends';
import { approvedBatch, connectSandbox, makeDocuments, sandboxCensus, seededRandom, startSandbox, testSecrets } from './zoho-fixtures';

const ROOT = path.resolve(__dirname, '..', '..');
const KILLS = 20;
// SQLite only: the run takes ~1 minute per backend on 2 busy cores; the worker's PostgreSQL path is
// proven under faults by posting-faults.test.ts. CLOSEDESK_CRASH_PG=1 adds PostgreSQL here too.
const CRASH_BACKENDS: Backend[] = process.env.CLOSEDESK_CRASH_PG === '1' ? ['sqlite', 'postgres'] : ['sqlite'];

function startWorker(b: TestBackend, batchId: string, masterKey: Buffer): { child: ChildProcess; exited: Promise<number | null>; output: () => string } {
  let output = '';
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'server', 'cli.ts'), 'post', batchId, '--quiet', '--concurrency', '5'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      CLOSEDESK_DATA_DIR: b.dir,
      ...(b.databaseUrl ? { DATABASE_URL: b.databaseUrl } : {}),
      CLOSEDESK_MASTER_KEY: masterKey.toString('hex'),
      CLOSEDESK_ZOHO_PER_MINUTE: '1000000',
      CLOSEDESK_ZOHO_BACKOFF_MS: '20',
      // A killed worker's documents are taken over once its lease runs out.
      CLOSEDESK_POSTING_LEASE_SECONDS: '1',
      LOG_LEVEL: 'silent',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, output: () => output };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each(CRASH_BACKENDS)('posting survives SIGKILL (%s)', (backend) => {
  let b: TestBackend;
  beforeAll(async () => {
    b = await openTestBackend(backend);
  });
  afterAll(async () => {
    await b.cleanup();
  });

  it('posts 2,000 documents exactly once although the worker is killed 20 times', async () => {
    const sb = await startSandbox();
    const random = seededRandom(backend === 'sqlite' ? 2026 : 2027);
    try {
      const { secrets, masterKey } = testSecrets(b.store);
      // A short hard deadline: a killed worker's journal or payment is looked up once it can no longer land.
      const connection = await connectSandbox(b.store, secrets, sb, 'Sandbox books', { timeoutMs: 2_000 });
      const documents = makeDocuments(sb.sandbox.state.seedIds(), { settlements: 200, invoicesPer: 8, prefix: 'K' });
      expect(documents).toHaveLength(2000);
      const batchId = await approvedBatch(b.store, connection, documents);
      const doneCount = async () =>
        Number((await b.store.one<{ n: number }>("SELECT COUNT(*) AS n FROM batch_items WHERE batch_id = $1 AND state = 'done'", [batchId]))!.n);
      const sendingCount = async () =>
        Number((await b.store.one<{ n: number }>("SELECT COUNT(*) AS n FROM batch_items WHERE batch_id = $1 AND state = 'sending'", [batchId]))!.n);

      let kills = 0;
      let leftSending = 0;
      let finishedEarly = false;
      while (kills < KILLS) {
        const w = startWorker(b, batchId, masterKey);
        let exitedOnItsOwn = false;
        void w.exited.then(() => (exitedOnItsOwn = true));
        const start = await doneCount();
        // Half the kills after some documents were posted, half after a random time (some land in start-up).
        // Both stop by 80 documents at the latest, so 20 kills always fall inside the 2,000 whatever the
        // machine's speed (20 × 80 < 2,000): a fast worker must not finish the batch between kills.
        const byProgress = random() < 0.5;
        const target = start + 1 + Math.floor(random() * 80);
        const deadline = Date.now() + 200 + Math.floor(random() * 2500);
        while (!exitedOnItsOwn && (await doneCount()) < target && (byProgress || Date.now() < deadline)) await sleep(10);
        if (exitedOnItsOwn) {
          // Finished the whole batch before the kill: the proof would be weaker, so say so.
          finishedEarly = true;
          break;
        }
        w.child.kill('SIGKILL');
        expect(await w.exited).toBeNull();
        kills++;
        leftSending += await sendingCount();
      }
      expect(finishedEarly).toBe(false);
      expect(kills).toBe(KILLS);
      // Killed mid-call: items were left in `sending` for the next worker to look up.
      expect(leftSending).toBeGreaterThan(0);

      const last = startWorker(b, batchId, masterKey);
      const code = await last.exited;
      expect(last.output()).toContain('Posted all 2,000 documents to Zoho Books.');
      expect(code).toBe(0);

      const census = sandboxCensus(sb, documents);
      expect(census.duplicates).toEqual([]);
      expect(census.missing).toEqual([]);
      expect(census.unexpected).toEqual([]);
      expect(census.unpaid).toEqual([]);
      expect(census.totals).toEqual({ invoices: 1600, payments: 200, journals: 200 });
      const items = await listBatchItems(b.store, batchId);
      expect(items.filter((i) => i.state !== 'done').map((i) => i.idempotencyKey)).toEqual([]);
      const map = await idMapOfBatch(b.store, batchId);
      expect(map).toHaveLength(2000);
      expect(new Map(map.map((e) => [e.idempotencyKey, e.zohoId]))).toEqual(census.idsByKey);
      // Reconciliation really ran: look-ups were made.
      const lookups = ['GET /invoices', 'GET /customerpayments', 'GET /journals'].reduce((s, k) => s + (sb.sandbox.stats.byOperation[k] ?? 0), 0);
      expect(lookups).toBeGreaterThan(0);
    } finally {
      await sb.close();
    }
  }, 240_000);
});
