/**
 * `npm run bench -- settlements-post [--settlements 129] [--orders 124] [--latency 300] [--plan premium]`
 *
 * A backlog of settlements posted to the Zoho sandbox on a simulated clock at Zoho's limits
 * (100 calls/minute, the plan's daily cap with its midnight-UTC reset, 300 ms per call), through
 * the real worker, client, limiter and store, for each invoice mode — against the original
 * approach: one invoice and one payment call per order, 0.5 s apart, no limiter. Reports API
 * calls and simulated hours. Figures are printed, never asserted.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { systemPerson } from '../src/approval';
import { createSecrets } from '../server/secrets';
import { openStore } from '../server/store';
import { decideBatch } from '../server/store/batches';
import { getControl, requestResume } from '../server/posting/control';
import { preparePostingBatch } from '../server/posting/prepare';
import { postBatch } from '../server/posting/worker';
import { SimulatedClock } from '../server/zoho/clock';
import { clientFor, saveConnectionWithRefreshToken } from '../server/zoho/connections';
import { startZohoSandbox, type RunningSandbox } from '../server/dev/zoho-sandbox';
import { backlogDocuments, makeBacklog, type BacklogSettlement, type InvoiceMode } from './settlements-post-data';

interface Options {
  settlements: number;
  orders: number;
  latencyMs: number;
  plan: 'free' | 'standard' | 'professional' | 'premium';
}

interface Result {
  approach: string;
  documents: number;
  apiCalls: number;
  refused: Record<string, number>;
  simulatedHours: number;
  dailyResetsWaited: number;
  realSeconds: number;
  byOperation: Record<string, number>;
}

const START = Date.UTC(2026, 0, 5, 8, 0, 0);

function parseArgs(args: string[]): Options {
  const o: Options = { settlements: 129, orders: 124, latencyMs: 300, plan: 'premium' };
  for (let i = 0; i < args.length; i += 2) {
    const v = args[i + 1];
    if (args[i] === '--settlements') o.settlements = Number(v);
    else if (args[i] === '--orders') o.orders = Number(v);
    else if (args[i] === '--latency') o.latencyMs = Number(v);
    else if (args[i] === '--plan') o.plan = v as Options['plan'];
    else throw new Error(`Unknown option ${args[i]}.`);
  }
  return o;
}

async function sandboxAt(clock: SimulatedClock, o: Options): Promise<RunningSandbox> {
  const sb = await startZohoSandbox({ port: 0, clock, limits: { perMinute: 100 } });
  sb.sandbox.state.data.books[0].org.plan = o.plan;
  return sb;
}

async function runCloseDesk(mode: InvoiceMode, backlog: BacklogSettlement[], o: Options): Promise<Result> {
  const t0 = Date.now();
  const clock = new SimulatedClock(START);
  const sb = await sandboxAt(clock, o);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'closedesk-bench-post-'));
  const store = await openStore({ sqliteFile: path.join(dir, 'closedesk.sqlite') });
  try {
    const secrets = createSecrets(store, randomBytes(32));
    const seed = sb.sandbox.state.seedIds();
    const connection = await saveConnectionWithRefreshToken(
      { store, secrets },
      { name: 'bench', dataCentre: 'com', clientId: 'bench', clientSecret: 'bench', refreshToken: sb.sandbox.issueRefreshToken('bench', 'bench'), organizationId: seed.organizationId, accountsUrl: sb.url, apiUrl: sb.apiBase, createdBy: 'bench' },
    );
    const documents = backlogDocuments(backlog, mode, seed);
    const batch = await preparePostingBatch({ store }, { connectionId: connection.id, documents, preparedBy: systemPerson('bench-maker') });
    await decideBatch(store, { id: batch.id, version: batch.version, user: { ...systemPerson('bench-checker'), roles: ['approver'] }, decision: 'approved' });
    // Zoho's latency on the simulated clock: every exchange takes latencyMs.
    const { client } = await clientFor({ store, secrets }, connection.id, { clock, onCall: () => clock.sleep(o.latencyMs) });
    let resets = 0;
    for (;;) {
      const outcome = await postBatch({ store, secrets }, batch.id, { client, concurrency: 1, sleep: (ms) => clock.sleep(ms), progressEveryMs: 1e9 });
      if (outcome.state !== 'paused') {
        if (outcome.state !== 'done') throw new Error(`${mode}: ${outcome.message}`);
        break;
      }
      const c = await getControl(store, batch.id);
      if (!c.pausedUntil) throw new Error(`${mode}: paused without a reset time: ${outcome.message}`);
      // The batch waits for Zoho's daily reset; the runner resumes it then.
      clock.advance(Math.max(0, Date.parse(c.pausedUntil) - clock.now()) + 1000);
      resets++;
      await requestResume(store, batch.id);
    }
    const { ok: _ok, ...refused } = sb.sandbox.stats.outcomes;
    return {
      approach: `CloseDesk, ${mode} invoices`,
      documents: documents.length,
      apiCalls: Object.values(sb.sandbox.stats.outcomes).reduce((s, n) => s + n, 0),
      refused,
      simulatedHours: (clock.now() - START) / 3_600_000,
      dailyResetsWaited: resets,
      realSeconds: (Date.now() - t0) / 1000,
      byOperation: sb.sandbox.stats.byOperation,
    };
  } finally {
    await store.close();
    await sb.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The system this replaces: per order, POST the invoice then POST a payment for it, sleeping 0.5 s
 * after each call; no limiter, no back-off. A refused call is retried after the same spacing (44) or
 * the next day (45, someone re-runs the script), so the figures are its best case.
 */
async function runOriginal(backlog: BacklogSettlement[], o: Options): Promise<Result> {
  const t0 = Date.now();
  const clock = new SimulatedClock(START);
  const sb = await sandboxAt(clock, o);
  try {
    const seed = sb.sandbox.state.seedIds();
    const refresh = sb.sandbox.issueRefreshToken('orig', 'orig');
    let token = '';
    let tokenExpires = 0;
    let resets = 0;
    const call = async (method: string, p: string, body: unknown, query = ''): Promise<Record<string, any>> => {
      for (;;) {
        if (clock.now() >= tokenExpires) {
          const t = (await (await fetch(`${sb.url}/oauth/v2/token?grant_type=refresh_token&client_id=orig&client_secret=orig&refresh_token=${refresh}`, { method: 'POST' })).json()) as { access_token: string; expires_in: number };
          token = t.access_token;
          tokenExpires = clock.now() + t.expires_in * 1000;
        }
        const res = await fetch(`${sb.apiBase}${p}?organization_id=${seed.organizationId}${query}`, {
          method,
          headers: { Authorization: `Zoho-oauthtoken ${token}`, 'Content-Type': 'application/json' },
          body: JSON.stringify(body),
        });
        const json = (await res.json()) as Record<string, any>;
        clock.advance(o.latencyMs + 500);
        if (json.code === 45) {
          clock.advance(Number(res.headers.get('x-rate-limit-reset') ?? 3600) * 1000);
          resets++;
          continue;
        }
        if (json.code === 44 || json.code === 1070) continue;
        if (json.code !== 0) throw new Error(`original approach: ${json.code} ${json.message}`);
        return json;
      }
    };
    let documents = 0;
    for (const s of backlog) {
      for (const d of backlogDocuments([{ ...s }], 'per-order', seed)) {
        if (d.kind === 'invoice') {
          const inv = await call('POST', '/invoices', d.body, '&ignore_auto_number_generation=true');
          await call('POST', '/customerpayments', {
            customer_id: seed.customerId,
            payment_mode: 'banktransfer',
            amount: d.cents.total / 100,
            date: d.body.date,
            reference_number: d.body.reference_number,
            invoices: [{ invoice_id: inv.invoice.invoice_id, amount_applied: d.cents.total / 100 }],
            account_id: seed.accountIds.clearing,
          });
          documents += 2;
        } else if (d.kind === 'journal') {
          await call('POST', '/journals', d.body);
          documents++;
        }
      }
    }
    const { ok: _ok, ...refused } = sb.sandbox.stats.outcomes;
    return {
      approach: 'Original: one call per invoice and per payment, 0.5 s apart',
      documents,
      apiCalls: Object.values(sb.sandbox.stats.outcomes).reduce((s, n) => s + n, 0),
      refused,
      simulatedHours: (clock.now() - START) / 3_600_000,
      dailyResetsWaited: resets,
      realSeconds: (Date.now() - t0) / 1000,
      byOperation: sb.sandbox.stats.byOperation,
    };
  } finally {
    await sb.close();
  }
}

export async function main(args: string[]): Promise<void> {
  const o = parseArgs(args);
  const backlog = makeBacklog(o.settlements, o.orders);
  process.stdout.write(
    `Posting a backlog of ${o.settlements} settlements × ${o.orders} orders to the Zoho sandbox (simulated clock: ${o.latencyMs} ms per call, 100 calls/min, ${o.plan} plan daily cap, reset at 00:00 UTC; start 08:00 UTC).\n\n`,
  );
  const results: Result[] = [];
  for (const mode of ['per-settlement', 'per-order'] as const) {
    results.push(await runCloseDesk(mode, backlog, o));
    process.stdout.write(`  done: ${results[results.length - 1].approach} (${results[results.length - 1].realSeconds.toFixed(1)} s real)\n`);
  }
  results.push(await runOriginal(backlog, o));
  process.stdout.write(`  done: ${results[results.length - 1].approach} (${results[results.length - 1].realSeconds.toFixed(1)} s real)\n\n`);

  const base = results[results.length - 1];
  const rows = results.map((r) => [
    r.approach,
    String(r.documents),
    String(r.apiCalls),
    Object.entries(r.refused).map(([k, n]) => `${k}×${n}`).join(' ') || '—',
    r.simulatedHours.toFixed(2),
    String(r.dailyResetsWaited),
    `${(base.apiCalls / r.apiCalls).toFixed(1)}×`,
    `${(base.simulatedHours / r.simulatedHours).toFixed(1)}×`,
  ]);
  const header = ['approach', 'documents', 'API calls', 'refused (code×n)', 'simulated h', 'daily resets', 'fewer calls', 'faster'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ');
  process.stdout.write(`${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n${rows.map(line).join('\n')}\n\n`);
  for (const r of results) process.stdout.write(`${r.approach}: ${JSON.stringify(r.byOperation)}\n`);
  const perSettlementPayments = results[0].byOperation['POST /customerpayments'] ?? 0;
  process.stdout.write(`\nPayment calls per settlement (per-settlement mode): ${(perSettlementPayments / o.settlements).toFixed(2)}\n`);
}
