import fs from 'node:fs'; import os from 'node:os'; import path from 'node:path';
import { openStore } from './server/store';
import { postBatch } from './server/posting/worker';
import { approvedBatch, connectSandbox, makeDocuments, startSandbox, testSecrets, seededRandom } from './test/integration/zoho-fixtures';
(async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'h9-'));
  const store = await openStore({ sqliteFile: path.join(dir, 'x.sqlite') });
  const sb = await startSandbox({ random: seededRandom(3), faults: { serverErrorRate: Number(process.argv[2]||0), rateLimitRate: Number(process.argv[3]||0), dropRate: Number(process.argv[4]||0) } });
  const { secrets } = testSecrets(store);
  const c = await connectSandbox(store, secrets, sb);
  const docs = makeDocuments(sb.sandbox.state.seedIds(), { settlements: Number(process.argv[5]||5), invoicesPer: 8, prefix: 'D' });
  const id = await approvedBatch(store, c, docs);
  console.log('batch', id);
  const t = Date.now();
  const out = await postBatch({ store, secrets }, id, { concurrency: 5, clientOptions: { backoffMs: 20, perMinute: 1_000_000 }, onProgress: p => console.log(JSON.stringify(p.counts)), sleep: (ms) => new Promise((r) => setTimeout(r, Math.min(ms, 50))) });
  console.log(out.state, out.message, Date.now()-t, sb.sandbox.stats);
  await sb.close(); await store.close();
})().catch(e => { console.error('ERR', e); process.exit(1); });
