/**
 * Posting recovers by itself: the server (a child process) is killed with SIGKILL mid-batch and
 * mid-pause, a new one is started on the same store, and nobody presses anything. The batch
 * finishes exactly once; the restarted process keeps Zoho's pace (the limiter's recent calls are in
 * the store: no call Zoho answers with 429 while the minute is still full) and keeps a daily-limit
 * pause until the reset. On SQLite and PostgreSQL. CLOSEDESK_TIMELINE=1 prints each run's timeline.
 */
import type { RunningSandbox, WriteHook } from '../../server/dev/zoho-sandbox';
import { getControl } from '../../server/posting/control';
import { leaseView } from '../../server/posting/progress';
import { createSecrets } from '../../server/secrets';
import { requireBatch } from '../../server/store/batches';
import { BACKENDS, openTestBackend, TEST_MASTER_KEY, type TestBackend } from './backends';
import { serverEnv, spawnServer, tokenFor, type ServerProcess } from './server-process';
import { approvedBatch, connectSandbox, expectPostedOnce, makeDocuments, startSandbox } from './zoho-fixtures';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The longest a server process took to start in this file so far. The daily-limit test's window
 * (the sandbox's day end) must hold two server starts; on a loaded machine a start takes many
 * seconds, so the window is sized from what starts actually took here, not from a fixed guess.
 */
let slowestStartMs = 0;
async function startServer(env: Parameters<typeof spawnServer>[0]): Promise<ServerProcess> {
  const t = Date.now();
  const s = await spawnServer(env);
  slowestStartMs = Math.max(slowestStartMs, Date.now() - t);
  return s;
}
const iso = (t: number) => new Date(t).toISOString();

/** Every write the sandbox received, with when (the first after a restart is when posting resumed). */
function writeLog(): { hook: WriteHook; times: number[] } {
  const times: number[] = [];
  return {
    times,
    hook: async () => {
      times.push(Date.now());
    },
  };
}

async function until<T>(what: string, read: () => Promise<T>, ok: (v: T) => boolean, servers: ServerProcess[], limitMs = 150_000): Promise<T> {
  const end = Date.now() + limitMs;
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`Still waiting for ${what}; last: ${JSON.stringify(v)}\n${servers.map((s) => s.output()).join('\n')}`);
    await sleep(100);
  }
}

describe.each(BACKENDS)('posting after a crash (%s)', (backend) => {
  let b: TestBackend;
  let sb: RunningSandbox | undefined;
  const servers: ServerProcess[] = [];
  beforeEach(async () => {
    b = await openTestBackend(backend);
  });
  afterEach(async () => {
    for (const s of servers.splice(0)) await s.kill();
    await sb?.close();
    sb = undefined;
    await b.cleanup();
  });

  /** An approved batch on a sandbox connection, started through the first server's route (a person pressed Post once). */
  async function postingStarted(on: RunningSandbox, o: { perMinute: number; concurrency: number; settlements: number; invoicesPer: number; prefix: string; leaseSeconds: number }) {
    // The servers' key: the audit entries they write chain with the test's (same key, same checkpoints).
    const masterKey = TEST_MASTER_KEY;
    const secrets = createSecrets(b.store, masterKey);
    const connection = await connectSandbox(b.store, secrets, on, 'Sandbox books', { timeoutMs: 2_000 });
    await b.store.exec('UPDATE zoho_connections SET per_minute = $2, concurrency = $3 WHERE id = $1', [connection.id, o.perMinute, o.concurrency]);
    const documents = makeDocuments(on.sandbox.state.seedIds(), o);
    const batchId = await approvedBatch(b.store, connection, documents);
    const env = serverEnv(b, masterKey, { CLOSEDESK_POSTING_LEASE_SECONDS: String(o.leaseSeconds) });
    const bob = await tokenFor(env, 'bob', 'approver');
    const first = await startServer(env);
    servers.push(first);
    const t0 = Date.now();
    expect((await first.api(bob, 'POST', `/api/posting/batches/${batchId}/start`)).status).toBe(202);
    return { documents, batchId, env, bob, first, t0 };
  }

  const state = async (batchId: string) => (await requireBatch(b.store, batchId)).state;
  const done = async (batchId: string) => Number((await b.store.one<{ n: number }>("SELECT COUNT(*) AS n FROM batch_items WHERE batch_id = $1 AND state = 'done'", [batchId]))!.n);

  it('killed mid-batch: a new server goes on by itself, at Zoho’s pace, and posts every document once', async () => {
    const writes = writeLog();
    // Zoho allows 25 calls a minute; the limiter keeps 20. A restarted process that forgot the
    // calls of the last minute would send the rest at once and be refused with 429 (code 44).
    sb = await startSandbox({ beforeWrite: writes.hook, limits: { perMinute: 25 } });
    const { documents, batchId, env, bob, first, t0 } = await postingStarted(sb, { perMinute: 20, concurrency: 3, settlements: 3, invoicesPer: 8, prefix: 'P', leaseSeconds: 10 });
    // The minute's 20 calls are spent; the first server waits for the window, holding its next documents.
    await until('the first server to fill the minute', async () => sb!.sandbox.stats.apiCalls, (n) => n >= 20, servers);
    await until('the first server to hold its next documents', async () => (await leaseView(b.store, batchId)).held, (n) => n > 0, servers);
    const postedBeforeKill = await done(batchId);
    const killAt = Date.now();
    await first.kill();
    // The dead worker's documents wait for its lease: what the pane shows after the restart.
    const held = await leaseView(b.store, batchId);
    expect(held.heldByStale).toBeGreaterThan(0);
    expect(held.staleSecondsLeft).toBeGreaterThan(0);

    const restartedAt = Date.now();
    const second = await startServer(env);
    servers.push(second);
    const seenByPane = await second.api<{ leases: { heldByStale: number; staleSecondsLeft: number; staleWorker: string } }>(bob, 'GET', `/api/posting/batches/${batchId}/progress`);
    expect(seenByPane.status).toBe(200);
    await until('the batch to finish', () => state(batchId), (s) => s !== 'sending', servers);
    const finishedAt = Date.now();

    expect(await state(batchId)).toBe('done');
    await expectPostedOnce(b.store, sb, documents, batchId);
    // Zoho's pace was kept across the restart: not one call was refused for the rate.
    expect(sb.sandbox.stats.outcomes['44'] ?? 0).toBe(0);
    const resumedAt = writes.times.find((t) => t > restartedAt)!;
    expect(resumedAt).toBeGreaterThan(restartedAt);
    const recovered = (await b.audit.recent({ subjectType: 'batch', subjectId: batchId })).find((e) => e.action === 'posting.started' && e.actor === 'system:recovery');
    expect(recovered).toBeDefined();
    if (process.env.CLOSEDESK_TIMELINE === '1') {
      process.stdout.write(
        `[${backend}] killed mid-batch: started ${iso(t0)}, killed at ${iso(killAt)} (${postedBeforeKill}/${documents.length} posted, minute full), restarted at ${iso(restartedAt)}, ` +
          `recovered (worker running) at ${recovered!.at}, resumed posting at ${iso(resumedAt)}, finished at ${iso(finishedAt)}; pane right after the restart: ${JSON.stringify(seenByPane.body.leases)}\n`,
      );
    }
  }, 240_000);

  it('killed during a daily-limit pause: a new server keeps the pause and goes on by itself after the reset', async () => {
    // The sandbox's day ends in 25 s plus four of the slowest server starts seen (two starts happen
    // before the pause must still hold): its daily limit (12 calls) resets then.
    const now = Date.now();
    const windowMs = 25_000 + 4 * slowestStartMs;
    const offset = (Math.floor(now / 86_400_000) + 1) * 86_400_000 - now - windowMs;
    const writes = writeLog();
    sb = await startSandbox({ beforeWrite: writes.hook, clock: { now: () => Date.now() + offset }, limits: { perDay: 12 } });
    const { documents, batchId, env, bob, first, t0 } = await postingStarted(sb, { perMinute: 1_000_000, concurrency: 10, settlements: 2, invoicesPer: 6, prefix: 'Q', leaseSeconds: 2 });
    await until('the daily-limit pause', () => getControl(b.store, batchId), (c) => c.command === 'pause' && c.pausedUntil !== null, servers);
    const killAt = Date.now();
    await first.kill();
    // Read the pause once the first server is dead: each of its calls in flight that Zoho refused
    // wrote the pause again, with the reset its own clock read (a millisecond or two apart).
    const paused = await getControl(b.store, batchId);
    expect(paused).toMatchObject({ command: 'pause' });
    const resetAt = Date.parse(paused.pausedUntil!);
    expect(killAt).toBeLessThan(resetAt);
    // The calls the first server had in flight when the limit was met were refused with 45 too.
    const refusedBeforeRestart = sb.sandbox.stats.outcomes['45'] ?? 0;
    expect(refusedBeforeRestart).toBeGreaterThanOrEqual(1);

    const restartedAt = Date.now();
    const second = await startServer(env);
    servers.push(second);
    const during = await second.api<{ batchState: string; control: { command: string; pausedUntil: string } }>(bob, 'GET', `/api/posting/batches/${batchId}/progress`);
    expect(during.body).toMatchObject({ batchState: 'sending', control: { command: 'pause', pausedUntil: paused.pausedUntil } });
    await until('the batch to finish', () => state(batchId), (s) => s !== 'sending', servers);
    const finishedAt = Date.now();

    expect(await state(batchId)).toBe('done');
    await expectPostedOnce(b.store, sb, documents, batchId);
    // The restarted server sent nothing before the reset: no call of its was refused for the day.
    expect(sb.sandbox.stats.outcomes['45']).toBe(refusedBeforeRestart);
    const resumedAt = writes.times.find((t) => t > restartedAt)!;
    expect(resumedAt).toBeGreaterThanOrEqual(resetAt);
    const audit = await b.audit.recent({ subjectType: 'batch', subjectId: batchId });
    const resumed = audit.find((e) => e.action === 'posting.resumed-after-reset');
    expect(resumed).toMatchObject({ actor: 'system:posting' });
    if (process.env.CLOSEDESK_TIMELINE === '1') {
      process.stdout.write(
        `[${backend}] killed mid-pause: started ${iso(t0)}, paused until ${paused.pausedUntil}, killed at ${iso(killAt)}, restarted at ${iso(restartedAt)}, ` +
          `pause ended by the new server at ${resumed!.at}, resumed posting at ${iso(resumedAt)}, finished at ${iso(finishedAt)}\n`,
      );
    }
  }, 300_000);
});
