/** The task pane's VRET routes through app.inject(): build from the server's inputs, save SPURSH, roles. */
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../server/app';
import { loadConfig } from '../../server/config';
import { openTestBackend, type TestBackend } from './backends';
import { devId } from './people';

const FIX = path.join(__dirname, '..', 'fixtures', 'vret');
let t: TestBackend;
let app: FastifyInstance;
const tokens: Record<string, string> = {};
const auth = (who: string) => ({ authorization: `Bearer ${tokens[who]}` });

beforeAll(async () => {
  t = await openTestBackend('sqlite');
  process.env.CLOSEDESK_VRET_INPUTS_DIR = path.join(FIX, 'inputs');
  process.env.CLOSEDESK_VRET_THR_DIR = path.join(FIX, 'thr');
  const config = loadConfig(
    { CLOSEDESK_DATA_DIR: t.dir, CLOSEDESK_DATASETS_DIR: path.join(t.dir, 'datasets'), CLOSEDESK_HTTPS: 'off', LOG_LEVEL: 'silent', CLOSEDESK_MASTER_KEY: Buffer.alloc(32, 7).toString('base64') },
    t.dir,
  );
  app = await buildApp(config, { store: t.store });
  await app.ready();
  const sign = app.ctx.auth.devIssuer!.sign;
  tokens.pat = await sign({ user: 'pat', roles: ['preparer'] });
  tokens.abe = await sign({ user: 'abe', roles: ['approver'] });
});
afterAll(async () => {
  delete process.env.CLOSEDESK_VRET_INPUTS_DIR;
  delete process.env.CLOSEDESK_VRET_THR_DIR;
  await app?.close();
  await t?.cleanup();
});

test('build returns the VRET sheets, SPURSH, balances and problems; the run is recorded', async () => {
  const r = await app.inject({ method: 'POST', url: '/api/vret/build', headers: auth('pat'), payload: { ledger: 'Amazon.eu', geo: 'DE', period: '2024-11' } });
  expect(r.statusCode).toBe(200);
  const body = r.json();
  expect(body.sheets.map((s: { name: string }) => s.name)).toEqual(['GLDI', '20321 JE', '20321 Analysis', 'RVR Report', 'Funding by vendor']);
  expect(body.sheets[4].chart).toEqual({ type: 'bar', title: 'Funding by vendor', categoryColumn: 'VENDOR_NAME', valueColumns: ['FUNDING_AMOUNT'] });
  expect(body.balances).toEqual([{ currency: 'EUR', debits: 22_784, credits: 22_784, difference: 0 }]);
  expect(body.spursh.csv.split('\r\n')[1]).toBe('Amazon.eu,2024-11,Acme GmbH,R1001,EUR,100.00,30.00,70.00');
  expect(body.problems.some((p: { code: string }) => p.code === 'rvr-unmatched')).toBe(true);
  const runs = await t.store.query<{ user_id: string; options: string }>("SELECT user_id, options FROM runs WHERE job = 'vret'");
  expect(runs).toHaveLength(1);
  expect(runs[0]!.user_id).toBe(devId('pat'));
  expect(JSON.parse(runs[0]!.options).runId).toBe(body.runId);

  const saved = await app.inject({ method: 'POST', url: '/api/vret/spursh', headers: auth('pat'), payload: { fileName: body.spursh.fileName, csv: body.spursh.csv } });
  expect(saved.statusCode).toBe(200);
  expect(fs.readFileSync(path.join(t.dir, 'vret', 'outbox', body.spursh.fileName), 'utf8')).toBe(body.spursh.csv);
  const again = await app.inject({ method: 'POST', url: '/api/vret/spursh', headers: auth('pat'), payload: { fileName: body.spursh.fileName, csv: 'x' } });
  expect(again.json().error.code).toBe('spursh-exists');
});

test('bad requests: a name that escapes the outbox, a missing field, the wrong role', async () => {
  const esc = await app.inject({ method: 'POST', url: '/api/vret/spursh', headers: auth('pat'), payload: { fileName: '../SPURSH_x.csv', csv: 'a' } });
  expect(esc.statusCode).toBe(400);
  const missing = await app.inject({ method: 'POST', url: '/api/vret/build', headers: auth('pat'), payload: { ledger: 'Amazon.eu' } });
  expect(missing.statusCode).toBe(400);
  const role = await app.inject({ method: 'POST', url: '/api/vret/build', headers: auth('abe'), payload: { ledger: 'Amazon.eu', geo: 'DE', period: '2024-11' } });
  expect(role.statusCode).toBe(403);
});
