/** `closedesk vret …` through the real CLI entry (in-process), on the fixtures and on a real PostgreSQL. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { runCli } from '../../server/cli';
import { openStore } from '../../server/store';
import { demoSchemaSql, demoSeedSql } from '../../server/jobs/vret/queries';
import { createTestDatabase } from './postgres';

const FIX = path.join(__dirname, '..', 'fixtures', 'vret');
let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'closedesk-vret-cli-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out = new PassThrough();
  const err = new PassThrough();
  let o = '';
  let e = '';
  out.on('data', (d) => (o += d));
  err.on('data', (d) => (e += d));
  const code = await runCli(args, { out, err, cwd: tmp, env: { CLOSEDESK_DATA_DIR: path.join(tmp, 'data'), LOG_LEVEL: 'silent' } });
  return { code, out: o, err: e };
}

test('--inputs and --thr: both files, balance printed, run in the store', async () => {
  const r = await cli(['vret', '--ledger', 'Amazon.eu', '--geo', 'DE', '--period', '2024-11', '--inputs', path.join(FIX, 'inputs'), '--thr', path.join(FIX, 'thr'), '--out', 'out1', '--run-id', 'C1']);
  expect(r.err).toContain('R1009'); // the unmatched RVR refund is reported (a warning)
  expect(r.code).toBe(0);
  expect(r.out).toContain('EUR: debits 227.84, credits 227.84, difference 0.00');
  expect(fs.readdirSync(path.join(tmp, 'out1')).sort()).toEqual(['SPURSH_Amazon.eu_C1.csv', 'VRET_Amazon.eu_C1.xlsx']);
  const store = await openStore({ sqliteFile: path.join(tmp, 'data', 'closedesk.sqlite') });
  const runs = await store.query<{ job: string; options: string }>("SELECT job, options FROM runs WHERE job = 'vret'");
  await store.close();
  expect(runs.map((x) => JSON.parse(x.options).runId)).toEqual(['C1']);
});

test('blocking problems: exit 2, named on stderr, no SPURSH', async () => {
  const r = await cli(['vret', '--ledger', 'Amazon.eu', '--geo', 'DE', '--period', '2024-11', '--inputs', path.join(FIX, 'bad'), '--thr', path.join(FIX, 'thr-bad'), '--out', 'out2', '--run-id', 'C2']);
  expect(r.code).toBe(2);
  expect(r.err).toMatch(/blocking: thr_bad\.txt row 3: This line has 12 fields where the header has 13/);
  expect(r.err).toMatch(/blocking: cm\.csv row 3, column TRANSACTION_AMOUNT/);
  expect(fs.readdirSync(path.join(tmp, 'out2'))).toEqual(['VRET_Amazon.eu_C2.xlsx']);
});

test('--sql-sources prints the dataset entries for CLOSEDESK_SQL_SOURCES', async () => {
  const r = await cli(['vret', '--sql-sources', 'warehouse']);
  expect(r.code).toBe(0);
  const json = JSON.parse(r.out);
  expect(json.queries[0]).toMatchObject({ id: 'vret_cm', source: 'warehouse' });
});

test('wrong usage: exit 2 with the usage text', async () => {
  const r = await cli(['vret', '--ledger', 'Amazon.eu', '--out', 'x', '--inputs', FIX]);
  expect(r.code).toBe(2);
  expect(r.err).toContain('--geo is required');
});

test('--source against PostgreSQL; an unreachable source writes nothing', async () => {
  const url = await createTestDatabase();
  const db = await openStore({ databaseUrl: url, migrate: false });
  await db.execScript(demoSchemaSql());
  await db.execScript(demoSeedSql());
  await db.close();
  const ok = await cli(['vret', '--ledger', 'Amazon.eu', '--geo', 'DE', '--period', '2024-11', '--source', url, '--out', 'out3', '--run-id', 'C3']);
  expect(ok.code).toBe(0);
  expect(ok.out).toContain('EUR: debits 182.34, credits 182.34, difference 0.00');
  const down = url.replace(/:(\d+)\//, (_m, p) => `:${Number(p) === 1 ? 2 : 1}/`);
  const bad = await cli(['vret', '--ledger', 'Amazon.eu', '--geo', 'DE', '--period', '2024-11', '--source', down, '--out', 'out4']);
  expect(bad.code).toBe(1);
  expect(bad.err).toContain('cannot be reached');
  expect(fs.existsSync(path.join(tmp, 'out4')) ? fs.readdirSync(path.join(tmp, 'out4')) : []).toEqual([]);
});
