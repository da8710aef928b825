/** The closedesk CLI: the bin shim, command discovery, token, datasets, audit verify. */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { createAuth } from '../../server/auth';
import { discoverCommands, runCli } from '../../server/cli';
import { DEV_ISSUER, loadConfig } from '../../server/config';
import { createTestDatabase, PG_ERROR_ENV, PG_URL_ENV } from './postgres';
import { devId } from './people';

const ROOT = path.join(__dirname, '..', '..');

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _e: string, cb: () => void) {
    this.text += chunk.toString();
    cb();
  }
}

describe('closedesk CLI', () => {
  let dir: string;
  let env: Record<string, string>;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'closedesk-cli-'));
    fs.mkdirSync(path.join(dir, 'datasets'));
    fs.writeFileSync(path.join(dir, 'datasets', 'cm.csv'), 'TRANSACTION_NUM,TRANSACTION_AMOUNT\n=cmd(),10.00\n');
    env = { CLOSEDESK_DATA_DIR: dir, CLOSEDESK_DATASETS_DIR: path.join(dir, 'datasets'), CLOSEDESK_HTTPS: 'off', PATH: process.env.PATH ?? '' };
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const cli = async (...argv: string[]) => {
    const out = new Capture();
    const err = new Capture();
    const code = await runCli(argv, { out, err, env, cwd: dir });
    return { code, out: out.text, err: err.text };
  };

  test('commands are discovered from server/cli/commands and server/jobs/*/cli.ts', () => {
    const names = discoverCommands().map((c) => c.name);
    expect(names).toEqual(expect.arrayContaining(['audit', 'datasets', 'token']));
  });

  test('the bin shim runs from a clone (tsx) and prints help with the settings', () => {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'closedesk.js'), 'help'], { cwd: dir, env, encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/Commands:[\s\S]*token[\s\S]*CLOSEDESK_MASTER_KEY/);
    const bad = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'closedesk.js'), 'frobnicate'], { cwd: dir, env, encoding: 'utf8', timeout: 60_000 });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('Unknown command "frobnicate"');
  });

  test('token prints a JWT the server accepts, with the roles asked for', async () => {
    const r = await cli('token', '--user', 'alice', '--role', 'preparer', '--role', 'approver', '--ttl', '30m');
    expect(r.code).toBe(0);
    const token = r.out.trim();
    expect(token.split('.')).toHaveLength(3);
    const auth = await createAuth(loadConfig(env, dir).auth, dir);
    expect(await auth.verify(token)).toEqual({ id: devId('alice'), issuer: DEV_ISSUER, subject: 'alice', name: 'alice', username: 'alice', roles: ['preparer', 'approver'] });
    const bad = await cli('token', '--user', 'alice', '--role', 'boss');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('Unknown role boss');
    const noUser = await cli('token', '--role', 'admin');
    expect(noUser.code).toBe(2);
  });

  test('datasets lists files and prints one as CSV (formula text neutralised)', async () => {
    const list = await cli('datasets');
    expect(list.code).toBe(0);
    expect(list.out).toBe('cm.csv\tcsv\t2 columns\n');
    const show = await cli('datasets', 'cm.csv');
    expect(show.out).toBe("TRANSACTION_NUM,TRANSACTION_AMOUNT\n'=cmd(),10.00\n");
    const missing = await cli('datasets', 'nope.csv');
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('There is no dataset "nope.csv"');
  });

  test('audit verify on a fresh store is intact; a bad subcommand is a usage error', async () => {
    const ok = await cli('audit', 'verify');
    expect(ok).toMatchObject({ code: 0 });
    expect(ok.out).toContain('intact');
    expect((await cli('audit', 'fix')).code).toBe(2);
  });
});

test('without a PostgreSQL server the PostgreSQL tests fail with the reason, not skip', async () => {
  const saved = { url: process.env[PG_URL_ENV], err: process.env[PG_ERROR_ENV] };
  try {
    delete process.env[PG_URL_ENV];
    process.env[PG_ERROR_ENV] = 'PostgreSQL is not installed: initdb, pg_ctl and postgres were not found';
    await expect(createTestDatabase()).rejects.toThrow('PostgreSQL is not installed');
  } finally {
    if (saved.url) process.env[PG_URL_ENV] = saved.url;
    if (saved.err) process.env[PG_ERROR_ENV] = saved.err;
    else delete process.env[PG_ERROR_ENV];
  }
});
