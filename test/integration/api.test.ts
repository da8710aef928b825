/**
 * The HTTP API through app.inject(), on SQLite and on a real PostgreSQL: auth (401/403), body
 * limit (413), datasets (paging, 404 with a sentence, exact ids), runs and audit (tamper detection),
 * maker-checker, secrets never in responses or logs, security headers, CORS, static add-in.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { exportJWK, generateKeyPair, importJWK, SignJWT, type JWK, type KeyLike } from 'jose';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../server/app';
import { runCli } from '../../server/cli';
import { loadConfig, type Config } from '../../server/config';
import { openStore } from '../../server/store';
import { createBatch } from '../../server/store/batches';
import { BACKENDS, openTestBackend, type TestBackend } from './backends';
import { LogCapture } from './log-capture';
import { devId, person } from './people';

const MASTER_KEY = Buffer.alloc(32, 3).toString('base64');

async function writeDatasets(dir: string): Promise<void> {
  fs.mkdirSync(path.join(dir, 'vret'), { recursive: true });
  const rows = ['TRANS_ID,CUSTOMERID,AMOUNT'];
  for (let i = 1; i <= 25; i++) rows.push(`${12345678901234560 + i},C${String(i).padStart(3, '0')},${i}.10`);
  rows[1] = '12345678901234567,C001,1.10';
  fs.writeFileSync(path.join(dir, 'tc_data.csv'), rows.join('\r\n') + '\r\n');
  fs.writeFileSync(path.join(dir, 'vret', 'thr_2024.txt'), 'LEDGER|ACCT|TRANSACTION_AMOUNT\nAmazon.com, Inc.|013209|12,34\n');
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('Customers');
  ws.addRow(['CUSTOMERID', 'NAME', 'SINCE']);
  ws.addRow(['C001', 'Ada', new Date(Date.UTC(2024, 0, 31))]);
  const sales = wb.addWorksheet('Sales');
  sales.addRow(['ORDERID', 'CUSTOMERID']);
  sales.addRow(['114-1234567-1234567', 'C001']);
  sales.addRow([12345678901234567, 'C002']); // a 17-digit id typed into a number cell
  await wb.xlsx.writeFile(path.join(dir, 'reference.xlsx'));
}

/** A warehouse table in the test database, offered through CLOSEDESK_SQL_SOURCES as a named query. */
async function writeSqlSources(t: TestBackend): Promise<string> {
  await t.store.execScript('CREATE TABLE wh_glap (id BIGINT PRIMARY KEY, period TEXT NOT NULL, amount_cents BIGINT NOT NULL)');
  await t.store.exec('INSERT INTO wh_glap VALUES ($1, $2, $3), ($4, $5, $6), ($7, $8, $9)', [
    '9007199254740993', '2024-01', 123456, 2, '2024-01', -50, 3, '2024-02', 7,
  ]);
  const file = path.join(t.dir, 'sql-sources.json');
  fs.writeFileSync(
    file,
    JSON.stringify({
      sources: { warehouse: { urlEnv: 'CLOSEDESK_TEST_WAREHOUSE_URL' } },
      queries: [
        {
          id: 'glap',
          name: 'GLAP by period',
          source: 'warehouse',
          sql: 'SELECT id, period, amount_cents FROM wh_glap WHERE period = $1 ORDER BY id',
          params: [{ name: 'period', default: '2024-01' }],
        },
        { id: 'broken', name: 'Broken query', source: 'warehouse', sql: 'SELECT secret_column FROM wh_missing_table', params: [] },
      ],
    }),
  );
  process.env.CLOSEDESK_TEST_WAREHOUSE_URL = t.databaseUrl ?? `sqlite:${t.sqliteFile}`;
  return file;
}

function configFor(t: TestBackend, extra: Record<string, string> = {}): Config {
  const staticDir = path.join(t.dir, 'dist');
  fs.mkdirSync(path.join(staticDir, 'server'), { recursive: true });
  fs.writeFileSync(path.join(staticDir, 'taskpane.html'), '<!doctype html><title>CloseDesk</title>');
  fs.writeFileSync(path.join(staticDir, 'server', 'main.js'), '// compiled server code');
  for (const dir of ['src', 'platform']) {
    fs.mkdirSync(path.join(staticDir, dir), { recursive: true });
    fs.writeFileSync(path.join(staticDir, dir, 'index.js'), '// compiled code');
  }
  return loadConfig(
    {
      CLOSEDESK_DATA_DIR: t.dir,
      CLOSEDESK_DATASETS_DIR: path.join(t.dir, 'datasets'),
      CLOSEDESK_STATIC_DIR: staticDir,
      DATABASE_URL: t.databaseUrl,
      CLOSEDESK_HTTPS: 'off',
      CLOSEDESK_MASTER_KEY: MASTER_KEY,
      BODY_LIMIT_BYTES: '4096',
      LOG_LEVEL: 'trace',
      CLOSEDESK_ADDIN_ORIGIN: 'https://addin.example.com',
      ...extra,
    },
    t.dir,
  );
}

describe.each(BACKENDS)('API on %s', (backend) => {
  let t: TestBackend;
  let app: FastifyInstance;
  let logs: LogCapture;
  let config: Config;
  const tokens: Record<string, string> = {};
  const auth = (who: string) => ({ authorization: `Bearer ${tokens[who]}` });

  beforeAll(async () => {
    t = await openTestBackend(backend);
    await writeDatasets(path.join(t.dir, 'datasets'));
    logs = new LogCapture();
    config = configFor(t, { CLOSEDESK_SQL_SOURCES: await writeSqlSources(t) });
    app = await buildApp(config, { store: t.store, logStream: logs });
    app.get('/api/test/crash', async () => {
      throw new Error('database exploded: internal detail');
    });
    await app.ready();
    const sign = app.ctx.auth.devIssuer!.sign;
    tokens.alice = await sign({ user: 'alice', roles: ['preparer', 'approver'] });
    tokens.bob = await sign({ user: 'bob', roles: ['approver'] });
    tokens.carol = await sign({ user: 'carol', roles: ['preparer'] });
    tokens.root = await sign({ user: 'root', roles: ['admin'] });
  });
  afterAll(async () => {
    await app?.close();
    await t?.cleanup();
  });

  describe('auth', () => {
    test('health needs no token; every other /api route does', async () => {
      const h = await app.inject({ method: 'GET', url: '/api/health' });
      expect(h.statusCode).toBe(200);
      expect(h.json()).toMatchObject({ ok: true, store: backend === 'sqlite' ? 'sqlite' : 'postgres' });
      const r = await app.inject({ method: 'GET', url: '/api/datasets' });
      expect(r.statusCode).toBe(401);
      expect(r.json().error).toMatchObject({ code: 'no-token' });
      expect(r.json().error.message).toMatch(/Sign in/);
    });

    test('malformed, expired, wrong-audience, wrong-issuer and foreign-key tokens get 401 with a sentence', async () => {
      const { privateJwk } = JSON.parse(fs.readFileSync(path.join(t.dir, 'dev-issuer-key.json'), 'utf8')) as { privateJwk: JWK };
      const key = (await importJWK(privateJwk, 'ES256')) as KeyLike;
      const now = Math.floor(Date.now() / 1000);
      const make = (k: KeyLike, claims: { iss?: string; aud?: string; exp?: number }) =>
        new SignJWT({ roles: ['admin'], preferred_username: 'eve' })
          .setProtectedHeader({ alg: 'ES256', kid: privateJwk.kid })
          .setSubject('eve')
          .setIssuer(claims.iss ?? config.auth.issuer)
          .setAudience(claims.aud ?? config.auth.audience)
          .setIssuedAt(now - 7200)
          .setExpirationTime(claims.exp ?? now + 3600)
          .sign(k);
      const foreign = (await generateKeyPair('ES256')).privateKey;
      const cases: [string, string, string][] = [
        ['Bearer not-a-jwt', 'token-malformed', 'malformed'],
        ['Basic YWxpY2U6c2VjcmV0', 'token-malformed', 'Bearer'],
        [`Bearer ${await make(key, { exp: now - 3600 })}`, 'token-expired', 'expired'],
        [`Bearer ${await make(key, { aud: 'some-other-app' })}`, 'token-wrong-audience', 'another application'],
        [`Bearer ${await make(key, { iss: 'https://evil.example.com' })}`, 'token-wrong-issuer', 'does not trust'],
        [`Bearer ${await make(foreign, {})}`, 'token-bad-signature', 'signature'],
      ];
      for (const [header, code, words] of cases) {
        const r = await app.inject({ method: 'GET', url: '/api/audit', headers: { authorization: header } });
        expect([header.slice(0, 12), r.statusCode, r.json().error.code]).toEqual([header.slice(0, 12), 401, code]);
        expect(r.json().error.message).toContain(words);
      }
      const ok = await app.inject({ method: 'GET', url: '/api/me', headers: { authorization: `Bearer ${await make(key, {})}` } });
      expect(ok.statusCode).toBe(200);
      expect(ok.json().user).toMatchObject({ id: `${config.auth.issuer}#eve`, name: 'eve', roles: ['admin'] });
    });

    test('wrong role → 403 naming the role needed', async () => {
      const r = await app.inject({ method: 'GET', url: '/api/secrets', headers: auth('carol') });
      expect(r.statusCode).toBe(403);
      expect(r.json().error.code).toBe('wrong-role');
      expect(r.json().error.message).toMatch(/needs the admin role.*carol/);
      const r2 = await app.inject({ method: 'POST', url: '/api/runs', headers: auth('bob'), payload: { job: 'fifo' } });
      expect(r2.statusCode).toBe(403);
    });

    test('dev sign-in returns a working token; bad input is a 400 with a sentence', async () => {
      const r = await app.inject({ method: 'POST', url: '/api/dev/sign-in', payload: { user: 'dora', role: 'approver' } });
      expect(r.statusCode).toBe(200);
      const me = await app.inject({ method: 'GET', url: '/api/me', headers: { authorization: `Bearer ${r.json().token}` } });
      expect(me.json().user).toMatchObject({ id: devId('dora'), name: 'dora', roles: ['approver'] });
      expect(r.json().user).toEqual(me.json().user);
      const bad = await app.inject({ method: 'POST', url: '/api/dev/sign-in', payload: { user: 'dora', role: 'boss' } });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error.message).toMatch(/sign-in is not valid.*role/);
      const jwks = await app.inject({ method: 'GET', url: '/.well-known/jwks.json' });
      expect(jwks.json().keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256' });
      expect(jwks.json().keys[0].d).toBeUndefined();
    });
  });

  describe('limits and errors', () => {
    test('a body over the limit → 413 with a sentence', async () => {
      const r = await app.inject({
        method: 'POST',
        url: '/api/runs',
        headers: { ...auth('carol'), 'content-type': 'application/json' },
        payload: JSON.stringify({ job: 'fifo', options: { blob: 'x'.repeat(5000) } }),
      });
      expect(r.statusCode).toBe(413);
      expect(r.json().error).toMatchObject({ code: 'body-too-large' });
      expect(r.json().error.message).toMatch(/larger than the server accepts \(4 KB\)/);
    });

    test('invalid JSON → 400; unknown route → 404 JSON; a crashing route → 500 with a reference, server keeps serving', async () => {
      const bad = await app.inject({ method: 'POST', url: '/api/runs', headers: { ...auth('carol'), 'content-type': 'application/json' }, payload: '{"job":' });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error.code).toBe('bad-json');
      const nf = await app.inject({ method: 'GET', url: '/api/nothing-here', headers: auth('carol') });
      expect(nf.statusCode).toBe(404);
      expect(nf.json().error.message).toContain('/api/nothing-here');
      const crash = await app.inject({ method: 'GET', url: '/api/test/crash', headers: auth('carol') });
      expect(crash.statusCode).toBe(500);
      expect(crash.json().error.message).toMatch(/Try again.*reference/);
      expect(crash.body).not.toContain('database exploded');
      expect((await app.inject({ method: 'GET', url: '/api/health' })).statusCode).toBe(200);
    });

    test('security headers allow Office.js and Office framing; CORS only for the add-in origin', async () => {
      const r = await app.inject({ method: 'GET', url: '/api/health', headers: { origin: 'https://addin.example.com' } });
      const csp = String(r.headers['content-security-policy']);
      expect(csp).toContain('https://appsforoffice.microsoft.com');
      expect(csp).toMatch(/frame-ancestors 'self' https:\/\/\*\.office\.com/);
      expect(csp).toContain("style-src 'self' 'unsafe-inline'");
      expect(r.headers['x-content-type-options']).toBe('nosniff');
      expect(r.headers['x-frame-options']).toBeUndefined();
      expect(r.headers['access-control-allow-origin']).toBe('https://addin.example.com');
      const other = await app.inject({ method: 'GET', url: '/api/health', headers: { origin: 'https://evil.example.com' } });
      expect(other.headers['access-control-allow-origin']).toBeUndefined();
      const pre = await app.inject({
        method: 'OPTIONS',
        url: '/api/datasets',
        headers: { origin: 'https://addin.example.com', 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
      });
      expect(pre.statusCode).toBe(204);
      expect(String(pre.headers['access-control-allow-headers'])).toMatch(/Authorization/i);
    });

    test('the built add-in is served at / but compiled server code is not', async () => {
      const page = await app.inject({ method: 'GET', url: '/taskpane.html' });
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('CloseDesk');
      const hidden = await app.inject({ method: 'GET', url: '/server/main.js' });
      expect(hidden.statusCode).toBe(404);
      for (const url of ['/src/index.js', '/platform/index.js']) expect((await app.inject({ method: 'GET', url })).statusCode).toBe(404);
    });
  });

  describe('datasets', () => {
    test('lists csv, pipe-delimited txt and each xlsx sheet', async () => {
      const r = await app.inject({ method: 'GET', url: '/api/datasets', headers: auth('bob') });
      expect(r.statusCode).toBe(200);
      const list = r.json().datasets as { id: string; kind: string; columns?: string[] }[];
      expect(list.filter((d) => d.kind !== 'sql').map((d) => [d.id, d.kind])).toEqual([
        ['reference.xlsx!Customers', 'xlsx'],
        ['reference.xlsx!Sales', 'xlsx'],
        ['tc_data.csv', 'csv'],
        ['vret/thr_2024.txt', 'txt'],
      ]);
      expect(list.find((d) => d.id === 'vret/thr_2024.txt')?.columns).toEqual(['LEDGER', 'ACCT', 'TRANSACTION_AMOUNT']);
    });

    test('pages through a CSV with ids kept exact', async () => {
      const p1 = await app.inject({ method: 'GET', url: '/api/datasets/tc_data.csv?limit=10', headers: auth('carol') });
      expect(p1.statusCode).toBe(200);
      const b1 = p1.json();
      expect(b1).toMatchObject({ header: ['TRANS_ID', 'CUSTOMERID', 'AMOUNT'], total: 25, offset: 0, nextOffset: 10 });
      expect(b1.rows[0]).toEqual(['12345678901234567', 'C001', '1.10']);
      expect(p1.body).toContain('"12345678901234567"');
      const p3 = await app.inject({ method: 'GET', url: '/api/datasets/tc_data.csv?offset=20&limit=10', headers: auth('carol') });
      expect(p3.json()).toMatchObject({ offset: 20, nextOffset: null });
      expect(p3.json().rows).toHaveLength(5);
      expect(p3.json().rows[4][1]).toBe('C025');
    });

    test('txt in a subfolder (URL-encoded id), xlsx sheet with dates as ISO text', async () => {
      const txt = await app.inject({ method: 'GET', url: `/api/datasets/${encodeURIComponent('vret/thr_2024.txt')}`, headers: auth('carol') });
      expect(txt.statusCode).toBe(200);
      expect(txt.json().rows).toEqual([['Amazon.com, Inc.', '013209', '12,34']]);
      const xl = await app.inject({ method: 'GET', url: `/api/datasets/${encodeURIComponent('reference.xlsx!Customers')}`, headers: auth('carol') });
      expect(xl.json()).toMatchObject({ header: ['CUSTOMERID', 'NAME', 'SINCE'], rows: [['C001', 'Ada', '2024-01-31']], total: 1, problems: [] });
      const sales = await app.inject({ method: 'GET', url: `/api/datasets/${encodeURIComponent('reference.xlsx!Sales')}`, headers: auth('carol') });
      expect(sales.json().rows[0]).toEqual(['114-1234567-1234567', 'C001']);
      expect(sales.json().problems).toEqual([
        expect.objectContaining({ severity: 'warning', row: 3, column: 'ORDERID', code: 'inexact-number', message: expect.stringMatching(/^Cell Sales!A3: .*too large to be exact/) }),
      ]);
    });

    test('a SQL source query pages with bound parameters; a 64-bit id stays exact; injection finds nothing', async () => {
      const list = (await app.inject({ method: 'GET', url: '/api/datasets', headers: auth('carol') })).json().datasets;
      expect(list).toContainEqual({ id: 'sql:glap', name: 'GLAP by period', kind: 'sql', source: 'warehouse', params: [{ name: 'period', default: '2024-01' }] });
      const p1 = await app.inject({ method: 'GET', url: '/api/datasets/sql%3Aglap?limit=1', headers: auth('carol') });
      expect(p1.statusCode).toBe(200);
      expect(p1.json()).toMatchObject({ header: ['id', 'period', 'amount_cents'], rows: [[2, '2024-01', -50]], total: 2, nextOffset: 1 });
      const p2 = await app.inject({ method: 'GET', url: '/api/datasets/sql%3Aglap?limit=1&offset=1', headers: auth('carol') });
      expect(p2.json()).toMatchObject({ rows: [['9007199254740993', '2024-01', 123456]], nextOffset: null });
      const feb = await app.inject({ method: 'GET', url: '/api/datasets/sql%3Aglap?period=2024-02', headers: auth('carol') });
      expect(feb.json()).toMatchObject({ rows: [[3, '2024-02', 7]], total: 1 });
      const inj = await app.inject({ method: 'GET', url: `/api/datasets/sql%3Aglap?period=${encodeURIComponent("x' OR '1'='1")}`, headers: auth('carol') });
      expect(inj.json()).toMatchObject({ rows: [], total: 0 });
      // the source connection is read-only: a query that writes fails instead of changing data
      const srcStore = await openStore({ databaseUrl: process.env.CLOSEDESK_TEST_WAREHOUSE_URL, readonly: true });
      const write = await srcStore.exec('DELETE FROM wh_glap').then(() => 'deleted', (e: { message?: string }) => String(e?.message));
      await srcStore.close();
      expect(write).toMatch(/read-only|readonly/i);
      const typo = await app.inject({ method: 'GET', url: '/api/datasets/sql%3Aglap?perod=2024-02', headers: auth('carol') });
      expect(typo.statusCode).toBe(400);
      expect(typo.json().error.message).toMatch(/has no parameter perod; it takes period/);
    });

    test("a failing SQL source → 502 with a sentence; the driver's text is only in the log", async () => {
      const r = await app.inject({ method: 'GET', url: '/api/datasets/sql%3Abroken', headers: auth('carol') });
      expect(r.statusCode).toBe(502);
      expect(r.json().error).toEqual({ code: 'sql-source-failed', message: expect.stringMatching(/^The query "Broken query" failed on source warehouse\. Try again/) });
      expect(r.body).not.toMatch(/wh_missing_table|secret_column|relation|no such/i);
      expect(logs.text).toMatch(/wh_missing_table/);
    });

    test('a symbolic link that leaves the datasets folder is not a dataset; one that stays inside is', async () => {
      const datasets = path.join(t.dir, 'datasets');
      fs.writeFileSync(path.join(t.dir, 'outside.csv'), 'SECRET\nnot for you\n');
      fs.symlinkSync(path.join(t.dir, 'outside.csv'), path.join(datasets, 'escape.csv'));
      fs.symlinkSync(t.dir, path.join(datasets, 'up'));
      fs.symlinkSync(path.join(datasets, 'tc_data.csv'), path.join(datasets, 'alias.csv'));
      try {
        for (const id of ['escape.csv', 'up/outside.csv', 'up/dev-issuer-key.json']) {
          const r = await app.inject({ method: 'GET', url: `/api/datasets/${encodeURIComponent(id)}`, headers: auth('carol') });
          expect([id, r.statusCode, r.json().error.code]).toEqual([id, 404, 'dataset-not-found']);
          expect(r.body).not.toContain('not for you');
        }
        const inside = await app.inject({ method: 'GET', url: '/api/datasets/alias.csv?limit=1', headers: auth('carol') });
        expect(inside.json()).toMatchObject({ header: ['TRANS_ID', 'CUSTOMERID', 'AMOUNT'], total: 25 });
      } finally {
        for (const f of ['escape.csv', 'up', 'alias.csv']) fs.rmSync(path.join(datasets, f), { force: true });
      }
    });

    test('unknown dataset or a path outside the folder → 404 with a sentence; a bad limit → 400', async () => {
      for (const id of ['nope.csv', '../dev-issuer-key.json', '../closedesk.sqlite', 'reference.xlsx!Nope', 'sql:nothing']) {
        const r = await app.inject({ method: 'GET', url: `/api/datasets/${encodeURIComponent(id)}`, headers: auth('carol') });
        expect([id, r.statusCode]).toEqual([id, 404]);
        expect(r.json().error.code).toBe('dataset-not-found');
        expect(r.json().error.message).toMatch(/^There is no dataset ".*"\. Open the Data page/);
      }
      const r = await app.inject({ method: 'GET', url: '/api/datasets/tc_data.csv?limit=0', headers: auth('carol') });
      expect(r.statusCode).toBe(400);
      expect(r.json().error.message).toMatch(/limit/);
    });
  });

  describe('runs, audit, maker-checker, secrets', () => {
    test('a recorded run is listed and audited', async () => {
      const r = await app.inject({
        method: 'POST',
        url: '/api/runs',
        headers: auth('carol'),
        payload: { job: 'fifo', inputChecksum: 'sha256:abc', rowCounts: { input: 25, allocations: 12 }, mode: 'lots', version: '0.1.0', resultChecksum: 'sha256:def' },
      });
      expect(r.statusCode).toBe(201);
      const runs = await app.inject({ method: 'GET', url: '/api/runs?job=fifo', headers: auth('bob') });
      expect(runs.json().runs[0]).toMatchObject({ job: 'fifo', userId: devId('carol'), rowCounts: { input: 25, allocations: 12 }, mode: 'lots' });
      const audit = await app.inject({ method: 'GET', url: '/api/audit?limit=5', headers: auth('bob') });
      expect(audit.json().entries[0]).toMatchObject({ actor: devId('carol'), action: 'run.recorded', subjectId: r.json().run.id });
      const bad = await app.inject({ method: 'POST', url: '/api/runs', headers: auth('carol'), payload: { rowCounts: { input: -1 } } });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error.message).toMatch(/run record is not valid.*job/);
    });

    test('maker-checker: the preparer is refused, another approver succeeds, audited', async () => {
      const batch = await createBatch(t.store, {
        job: 'chargebacks',
        kind: 'sftp',
        preparedBy: person('alice'),
        payload: { files: 2 },
        items: [{ kind: 'file', idempotencyKey: `${backend}-api-visa`, request: { name: 'visa.csv' } }],
      });
      const self = await app.inject({ method: 'POST', url: `/api/batches/${batch.id}/approve`, headers: auth('alice'), payload: { version: 1 } });
      expect(self.statusCode).toBe(403);
      expect(self.json().error).toMatchObject({ code: 'maker-checker' });
      expect(self.json().error.message).toMatch(/You prepared batch .*someone else must approve/);
      const ok = await app.inject({ method: 'POST', url: `/api/batches/${batch.id}/approve`, headers: auth('bob'), payload: { version: 1 } });
      expect(ok.statusCode).toBe(200);
      const shown = await app.inject({ method: 'GET', url: `/api/batches/${batch.id}`, headers: auth('carol') });
      expect(shown.json()).toMatchObject({ batch: { state: 'approved' }, approvedForSending: true, approvals: [{ approvedBy: devId('bob'), approvedByName: 'bob', batchVersion: 1 }] });
      const missing = await app.inject({ method: 'GET', url: '/api/batches/bat_nope', headers: auth('carol') });
      expect(missing.statusCode).toBe(404);
    });

    test('secret values never appear in responses, the audit log or the logs', async () => {
      const value = 'zoho-refresh-1000.5f3a9c1e7b2d4f60a8c3e9b1d7f2a4c6';
      const put = await app.inject({ method: 'PUT', url: '/api/secrets/zoho%2Frefresh-token', headers: auth('root'), payload: { value } });
      expect(put.statusCode).toBe(200);
      expect(await app.ctx.secrets.get('zoho/refresh-token')).toBe(value);
      const bodies = [put.body];
      bodies.push((await app.inject({ method: 'GET', url: '/api/secrets', headers: auth('root') })).body);
      bodies.push((await app.inject({ method: 'GET', url: '/api/audit', headers: auth('root') })).body);
      // an invalid request carrying a secret must not echo it either
      bodies.push((await app.inject({ method: 'PUT', url: '/api/secrets/bad%20name', headers: auth('root'), payload: { value } })).body);
      expect(bodies[1]).toContain('zoho/refresh-token');
      for (const b of bodies) expect(b).not.toContain(value);
      expect(logs.text.length).toBeGreaterThan(0);
      expect(logs.text).toContain('/api/secrets');
      expect(logs.text).not.toContain(value);
      for (const tok of Object.values(tokens)) expect(logs.text).not.toContain(tok);
      // fields named like credentials are redacted wherever code logs them
      app.log.info({ password: value, zoho: { refresh_token: value }, req: { headers: { authorization: `Bearer ${value}` } } }, 'redaction probe');
      expect(logs.text).toContain('redaction probe');
      expect(logs.text).toContain('[redacted]');
      expect(logs.text).not.toContain(value);
      const del = await app.inject({ method: 'DELETE', url: '/api/secrets/zoho%2Frefresh-token', headers: auth('root') });
      expect(del.statusCode).toBe(200);
      expect((await app.inject({ method: 'DELETE', url: '/api/secrets/zoho%2Frefresh-token', headers: auth('root') })).statusCode).toBe(404);
    });

    test('tampering with the audit log is detected by the API and by `closedesk audit verify`', async () => {
      const cliEnv = { CLOSEDESK_DATA_DIR: t.dir, DATABASE_URL: t.databaseUrl, CLOSEDESK_MASTER_KEY: MASTER_KEY, CLOSEDESK_HTTPS: 'off' };
      const run = async () => {
        const out = new LogCapture();
        const err = new LogCapture();
        const code = await runCli(['audit', 'verify'], { out, err, env: cliEnv, cwd: t.dir });
        return { code, out: out.text, err: err.text };
      };
      const good = await app.inject({ method: 'GET', url: '/api/audit/verify', headers: auth('root') });
      expect(good.json()).toMatchObject({ ok: true });
      expect((await run()).code).toBe(0);

      const victim = (await t.store.one<{ seq: number }>("SELECT seq FROM audit_log WHERE action = 'run.recorded' ORDER BY seq LIMIT 1"))!.seq;
      await t.store.exec("UPDATE audit_log SET actor = 'mallory' WHERE seq = $1", [victim]);
      const bad = await app.inject({ method: 'GET', url: '/api/audit/verify', headers: auth('root') });
      expect(bad.json()).toMatchObject({ ok: false, firstBad: { seq: Number(victim) } });
      const cli = await run();
      expect(cli.code).toBe(1);
      expect(cli.err).toContain(`entry ${victim}`);
    });
  });
});

describe('auth against a remote JWKS (identity provider)', () => {
  let t: TestBackend;
  let app: FastifyInstance;
  let idp: http.Server;
  let key: KeyLike;
  let jwk: JWK;
  beforeAll(async () => {
    t = await openTestBackend('sqlite');
    const pair = await generateKeyPair('RS256');
    key = pair.privateKey;
    jwk = { ...(await exportJWK(pair.publicKey)), kid: 'idp-1', alg: 'RS256', use: 'sig' };
    idp = http.createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((r) => idp.listen(0, '127.0.0.1', r));
    const port = (idp.address() as { port: number }).port;
    const config = configFor(t, {
      AUTH_ISSUER: 'https://login.example.com/tenant/v2.0',
      AUTH_AUDIENCE: 'api://closedesk',
      AUTH_JWKS_URL: `http://127.0.0.1:${port}/keys`,
      LOG_LEVEL: 'silent',
    });
    app = await buildApp(config, { store: t.store });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await new Promise((r) => idp?.close(r));
    await t?.cleanup();
  });
  const token = (aud: string) =>
    new SignJWT({ roles: ['approver'], preferred_username: 'pat@example.com', oid: '5f0c9a1e-0000-4000-8000-00000000a7a7' })
      .setProtectedHeader({ alg: 'RS256', kid: 'idp-1' })
      .setSubject('pairwise-subject-for-closedesk')
      .setIssuer('https://login.example.com/tenant/v2.0')
      .setAudience(aud)
      .setExpirationTime('1h')
      .sign(key);

  test('provider tokens are accepted; wrong audience refused; dev sign-in is off', async () => {
    const ok = await app.inject({ method: 'GET', url: '/api/me', headers: { authorization: `Bearer ${await token('api://closedesk')}` } });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().user).toEqual({
      id: 'https://login.example.com/tenant/v2.0#5f0c9a1e-0000-4000-8000-00000000a7a7',
      issuer: 'https://login.example.com/tenant/v2.0',
      subject: '5f0c9a1e-0000-4000-8000-00000000a7a7',
      name: 'pat@example.com',
      username: 'pat@example.com',
      roles: ['approver'],
    });
    const aud = await app.inject({ method: 'GET', url: '/api/me', headers: { authorization: `Bearer ${await token('api://other')}` } });
    expect(aud.statusCode).toBe(401);
    expect(aud.json().error.code).toBe('token-wrong-audience');
    const dev = await app.inject({ method: 'POST', url: '/api/dev/sign-in', payload: { user: 'x', role: 'admin' } });
    expect(dev.statusCode).toBe(404);
    expect(dev.json().error.code).toBe('dev-sign-in-disabled');
  });
});
