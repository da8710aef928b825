/**
 * Several servers, one queue: three server processes on one PostgreSQL post a batch of 2,000
 * documents to the Zoho sandbox and deliver a batch of 200 files to an FTP server together, each
 * taking single items (`FOR UPDATE SKIP LOCKED`, leases with heartbeat) under one shared Zoho rate
 * limit, while a random instance is SIGKILLed at 10, 30, 50 and 70 % of the work and replaced. Afterwards every
 * document is in Zoho exactly once (and every invoice paid once), every file on the server exactly
 * once with its content, nothing lost, and every instance took part.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { RunningSandbox } from '../../server/dev/zoho-sandbox';
import { createPartner } from '../../server/delivery/partners';
import { listReceipts, prepareDelivery } from '../../server/delivery/service';
import { createSecrets } from '../../server/secrets';
import { decideBatch, listBatchItems, requireBatch } from '../../server/store/batches';
import { startFtpServer, type TestFtpServer } from '../servers/ftp';
import { openTestBackend, TEST_MASTER_KEY, type TestBackend } from './backends';
import { approverUser, person } from './people';
import { serverEnv, spawnServer, tokenFor, type ServerProcess } from './server-process';
import { approvedBatch, connectSandbox, expectPostedOnce, makeDocuments, seededRandom, startSandbox } from './zoho-fixtures';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const INSTANCES = 3;

describe('three instances on one PostgreSQL, killed at random', () => {
  let b: TestBackend;
  let sb: RunningSandbox;
  let ftp: TestFtpServer;
  let ftpRoot: string;
  const live: ServerProcess[] = [];
  beforeAll(async () => {
    b = await openTestBackend('postgres');
    sb = await startSandbox();
    ftpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'cd-instances-ftp-'));
    fs.mkdirSync(path.join(ftpRoot, 'inbox'));
    ftp = await startFtpServer({ root: ftpRoot, users: { acq: 'Pa55-word!' } });
  });
  afterAll(async () => {
    for (const s of live.splice(0)) await s.kill();
    await ftp?.close();
    await sb?.close();
    await b?.cleanup();
    fs.rmSync(ftpRoot, { recursive: true, force: true });
  });

  it('posts 2,000 documents and delivers 200 files exactly once', async () => {
    const random = seededRandom(13);
    // The servers' key: the audit entries they write chain with the test's (same key, same checkpoints).
    const masterKey = TEST_MASTER_KEY;
    const secrets = createSecrets(b.store, masterKey);
    // One organisation: its 6 calls in flight and its pace are shared by the three instances.
    const connection = await connectSandbox(b.store, secrets, sb, 'Sandbox books', { timeoutMs: 3_000 });
    await b.store.exec('UPDATE zoho_connections SET per_minute = 1000000, concurrency = 6 WHERE id = $1', [connection.id]);
    const documents = makeDocuments(sb.sandbox.state.seedIds(), { settlements: 200, invoicesPer: 8, prefix: 'M' });
    expect(documents).toHaveLength(2000);
    const postingId = await approvedBatch(b.store, connection, documents);

    const partner = await createPartner(b.store, secrets, { name: 'Acquirer', protocol: 'ftp', host: '127.0.0.1', port: ftp.port, folder: 'inbox', username: 'acq', password: 'Pa55-word!', networks: ['VISA'] }, 'admin');
    // Chargeback files of 40–400 rows each: plain CSV (files are checked for formulas when prepared).
    const csv = (rows: number) => ['case,amount', ...Array.from({ length: rows }, (_, r) => `${r + 1},${Math.floor(random() * 1e6)}`)].join('\r\n') + '\r\n';
    const files = Array.from({ length: 200 }, (_, i) => ({ fileName: `CB_${String(i).padStart(4, '0')}.csv`, content: Buffer.from(csv(40 + Math.floor(random() * 360))), partnerId: partner.id }));
    const delivery = await prepareDelivery({ store: b.store, secrets }, { job: 'chargebacks', preparedBy: person('alice'), files });
    await decideBatch(b.store, { id: delivery.id, version: delivery.version, user: approverUser('bob'), decision: 'approved' });

    const env = serverEnv(b, masterKey, { CLOSEDESK_POSTING_LEASE_SECONDS: '2' });
    const bob = await tokenFor(env, 'bob', 'approver');
    for (let i = 0; i < INSTANCES; i++) live.push(await spawnServer(env));
    expect((await live[0]!.api(bob, 'POST', `/api/posting/batches/${postingId}/start`)).status).toBe(202);
    expect((await live[1]!.api(bob, 'POST', `/api/deliveries/${delivery.id}/send`)).status).toBe(202);

    // Finished: both batches ended (they are `approved` until an instance starts sending them).
    const ended = (state: string) => ['done', 'failed', 'needs_review', 'cancelled'].includes(state);
    const finished = async () => {
      const [p, d] = await Promise.all([requireBatch(b.store, postingId), requireBatch(b.store, delivery.id)]);
      return ended(p.state) && ended(d.state);
    };
    // Kills follow the work, not the clock: one at each of these shares of items done (over both
    // batches), so a fast or a loaded machine sees the same number of kills, each mid-batch.
    const killAt = [0.1, 0.3, 0.5, 0.7];
    const doneShare = async () => {
      const rows = await b.store.query<{ n: string | number }>("SELECT COUNT(*) AS n FROM batch_items WHERE batch_id IN ($1, $2) AND state = 'done'", [postingId, delivery.id]);
      return Number(rows[0]!.n) / (documents.length + files.length);
    };
    let kills = 0;
    const t0 = Date.now();
    const deadline = Date.now() + 240_000;
    while (!(await finished())) {
      if (Date.now() > deadline) throw new Error(`Not finished in time.\n${live.map((s) => s.output()).join('\n')}`);
      await sleep(50 + Math.floor(random() * 100));
      if (kills >= killAt.length || (await doneShare()) < killAt[kills]!) continue;
      // Any instance, in the middle of whatever it does; a new one takes its place.
      const at = Math.floor(random() * live.length);
      await live[at]!.kill();
      kills++;
      live[at] = await spawnServer(env);
    }
    expect(kills).toBe(killAt.length);
    if (process.env.CLOSEDESK_TIMELINE === '1') process.stdout.write(`3 instances: 2,000 documents and 200 files in ${((Date.now() - t0) / 1000).toFixed(1)} s with ${kills} instances killed and replaced\n`);

    // Zoho: every document once, every invoice paid once, the id map equal to what Zoho holds.
    expect((await requireBatch(b.store, postingId)).state).toBe('done');
    const census = await expectPostedOnce(b.store, sb, documents, postingId);
    expect(census.totals).toEqual({ invoices: 1600, payments: 200, journals: 200 });
    expect((await listBatchItems(b.store, postingId)).filter((i) => i.state !== 'done')).toEqual([]);

    // The FTP server: every file once, with its bytes; no temporary file left behind.
    expect((await listBatchItems(b.store, delivery.id)).filter((i) => i.state !== 'done').map((i) => `${i.state}: ${i.error ?? ''}`)).toEqual([]);
    expect((await requireBatch(b.store, delivery.id)).state).toBe('done');
    const inbox = fs.readdirSync(path.join(ftpRoot, 'inbox')).sort();
    expect(inbox).toEqual(files.map((f) => f.fileName).sort());
    for (const f of files) expect(createHash('sha256').update(fs.readFileSync(path.join(ftpRoot, 'inbox', f.fileName))).digest('hex')).toBe(createHash('sha256').update(f.content).digest('hex'));
    expect((await listReceipts(b.store, { batchId: delivery.id, limit: 1000 })).map((r) => r.fileName).sort()).toEqual(inbox);

    // The instances shared the work: documents and files were taken by several workers.
    const workers = await b.store.query<{ id: string }>('SELECT id FROM posting_workers');
    expect(workers.length).toBeGreaterThanOrEqual(INSTANCES + kills);
    const started = await b.store.query<{ details: string }>("SELECT details FROM audit_log WHERE subject_id = $1 AND action = 'posting.started'", [postingId]);
    expect(new Set(started.map((r) => JSON.parse(r.details).worker)).size).toBeGreaterThanOrEqual(INSTANCES);
  }, 300_000);
});
