/**
 * `npm run bench -- settlements-post-instances [--documents 1000] [--latency 150] [--org-concurrency 10] [--instances 1,2,3]`
 *
 * Several CloseDesk servers on one PostgreSQL posting one batch to the Zoho sandbox together: for
 * 1, 2 and 3 server processes, the time from "start" to the batch done (census included) and the
 * documents per second. The sandbox answers every call after `--latency` ms; its rate limits are
 * lifted so the queue, not Zoho's 100 calls a minute, is what is measured — the organisation's
 * concurrency (`--org-concurrency`, Zoho's paid plans allow 10) is still shared by every instance
 * through the store, as is the per-minute limit (which caps any number of instances at Zoho's
 * 100 calls a minute in production). Figures are printed, never asserted.
 */
import { randomBytes } from 'node:crypto';
import { systemPerson } from '../src/approval';
import { preparePostingBatch } from '../server/posting/prepare';
import { createSecrets } from '../server/secrets';
import { openStore } from '../server/store';
import { decideBatch, requireBatch } from '../server/store/batches';
import { saveConnectionWithRefreshToken } from '../server/zoho/connections';
import { startZohoSandbox } from '../server/dev/zoho-sandbox';
import { startPostgres, stopPostgres } from '../test/integration/postgres';
import { serverEnv, spawnServer, tokenFor, type ServerProcess } from '../test/integration/server-process';
import { makeDocuments } from '../test/integration/zoho-fixtures';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

interface Options {
  documents: number;
  latencyMs: number;
  orgConcurrency: number;
  instances: number[];
}

function parseArgs(args: string[]): Options {
  const o: Options = { documents: 1000, latencyMs: 150, orgConcurrency: 10, instances: [1, 2, 3] };
  for (let i = 0; i < args.length; i += 2) {
    const v = args[i + 1] ?? '';
    if (args[i] === '--documents') o.documents = Number(v);
    else if (args[i] === '--latency') o.latencyMs = Number(v);
    else if (args[i] === '--org-concurrency') o.orgConcurrency = Number(v);
    else if (args[i] === '--instances') o.instances = v.split(',').map(Number);
    else throw new Error(`Unknown option ${args[i]}.`);
  }
  return o;
}

interface Result {
  instances: number;
  documents: number;
  seconds: number;
  apiCalls: number;
  refused: number;
}

async function runWith(n: number, o: Options, serverUrl: string): Promise<Result> {
  const dbName = `bench_${n}_${randomBytes(3).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  await admin.end();
  const databaseUrl = serverUrl.replace(/\/[^/]*$/, `/${dbName}`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'closedesk-bench-instances-'));
  const store = await openStore({ databaseUrl });
  const sb = await startZohoSandbox({ port: 0, limits: { perMinute: 1_000_000, perDay: 10_000_000, concurrency: 1_000 }, faults: { delayMs: o.latencyMs } });
  const servers: ServerProcess[] = [];
  try {
    const masterKey = randomBytes(32);
    const secrets = createSecrets(store, masterKey);
    const seed = sb.sandbox.state.seedIds();
    const connection = await saveConnectionWithRefreshToken(
      { store, secrets },
      { name: 'bench', dataCentre: 'com', clientId: 'bench', clientSecret: 'bench', refreshToken: sb.sandbox.issueRefreshToken('bench', 'bench'), organizationId: seed.organizationId, accountsUrl: sb.url, apiUrl: sb.apiBase, createdBy: 'bench', perMinute: 1_000_000, concurrency: o.orgConcurrency, lateWriteMarginMs: 250 },
    );
    const invoicesPer = 8;
    const settlements = Math.max(1, Math.round(o.documents / (invoicesPer + 2)));
    const documents = makeDocuments(seed, { settlements, invoicesPer, prefix: 'B' });
    const batch = await preparePostingBatch({ store }, { connectionId: connection.id, documents, preparedBy: systemPerson('bench-maker') });
    await decideBatch(store, { id: batch.id, version: batch.version, user: { ...systemPerson('bench-checker'), roles: ['approver'] }, decision: 'approved' });
    const env = serverEnv({ dir, databaseUrl }, masterKey, { CLOSEDESK_POSTING_LEASE_SECONDS: '10', LOG_LEVEL: 'error' });
    const token = await tokenFor(env, 'checker', 'approver');
    for (let i = 0; i < n; i++) servers.push(await spawnServer(env));
    sb.sandbox.resetCounters();
    const t0 = Date.now();
    const r = await servers[0]!.api(token, 'POST', `/api/posting/batches/${batch.id}/start`);
    if (r.status !== 202) throw new Error(`start answered ${r.status}: ${JSON.stringify(r.body)}`);
    for (;;) {
      const b = await requireBatch(store, batch.id);
      if (b.state !== 'sending' && b.state !== 'approved') {
        if (b.state !== 'done') throw new Error(`The batch ended ${b.state}.`);
        break;
      }
      await new Promise((res) => setTimeout(res, 100));
    }
    const seconds = (Date.now() - t0) / 1000;
    const { ok = 0, ...refused } = sb.sandbox.stats.outcomes;
    return { instances: n, documents: documents.length, seconds, apiCalls: ok, refused: Object.values(refused).reduce((s, k) => s + k, 0) };
  } finally {
    for (const s of servers) await s.kill();
    await store.close();
    await sb.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function main(args: string[]): Promise<void> {
  const o = parseArgs(args);
  process.stdout.write(
    `Posting ~${o.documents} documents with 1–3 CloseDesk servers on one PostgreSQL (Zoho sandbox: ${o.latencyMs} ms per call, rate limits lifted, the organisation's ${o.orgConcurrency} calls in flight shared through the store; each server runs 5 lanes).\n\n`,
  );
  const pgServer = await startPostgres();
  try {
    const results: Result[] = [];
    for (const n of o.instances) {
      results.push(await runWith(n, o, pgServer.url));
      const r = results[results.length - 1]!;
      process.stdout.write(`  ${n} instance${n === 1 ? '' : 's'}: ${r.seconds.toFixed(1)} s\n`);
    }
    const base = results[0]!;
    const header = ['instances', 'documents', 'seconds', 'documents/s', 'Zoho calls', 'refused', 'vs 1 instance'];
    const rows = results.map((r) => [String(r.instances), String(r.documents), r.seconds.toFixed(1), (r.documents / r.seconds).toFixed(1), String(r.apiCalls), String(r.refused), `${(base.seconds / r.seconds).toFixed(2)}×`]);
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
    const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
    process.stdout.write(`\n${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n${rows.map(line).join('\n')}\n`);
    process.stdout.write(`\nAt Zoho's own limit (100 calls a minute per organisation, shared by every instance) any number of instances posts at most ~90 documents a minute with the default limiter.\n`);
  } finally {
    stopPostgres(pgServer);
  }
}
