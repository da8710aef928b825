/**
 * A real, throw-away PostgreSQL server for the integration tests: initdb into a temp dir, start on
 * 127.0.0.1 with a free port and a private socket dir, one fresh database per test file, stop and
 * remove at the end. When running as root, the server runs as the `postgres` OS user (initdb refuses root).
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const PG_URL_ENV = 'CLOSEDESK_TEST_PG_URL';
export const PG_ERROR_ENV = 'CLOSEDESK_TEST_PG_ERROR';

export interface RunningPostgres {
  url: string;
  dir: string;
  dataDir: string;
  binDir: string;
  asUser?: string;
  /** Pid of the watchdog that stops the server if the test process dies without teardown. */
  watchdogPid?: number;
}

const REQUIRED = ['initdb', 'pg_ctl', 'postgres'];

/** A directory holding initdb, pg_ctl and postgres: PATH first, then /usr/lib/postgresql/<newest>/bin. */
export function findPostgresBin(): string | undefined {
  const candidates: string[] = [];
  for (const d of (process.env.PATH ?? '').split(path.delimiter)) if (d) candidates.push(d);
  const base = '/usr/lib/postgresql';
  if (fs.existsSync(base)) {
    const versions = fs.readdirSync(base).sort((a, b) => Number(b) - Number(a) || b.localeCompare(a));
    for (const v of versions) candidates.push(path.join(base, v, 'bin'));
  }
  for (const d of candidates) {
    if (REQUIRED.every((b) => fs.existsSync(path.join(d, b)))) return d;
    // Debian links initdb/pg_ctl into PATH without postgres next to them: follow the link.
    const ctl = path.join(d, 'pg_ctl');
    if (fs.existsSync(ctl)) {
      const real = path.dirname(fs.realpathSync(ctl));
      if (REQUIRED.every((b) => fs.existsSync(path.join(real, b)))) return real;
    }
  }
  return undefined;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

function run(binDir: string, asUser: string | undefined, cmd: string, args: string[]): void {
  const full = path.join(binDir, cmd);
  const [file, argv] = asUser ? ['runuser', ['-u', asUser, '--', full, ...args]] : [full, args];
  const r = spawnSync(file, argv, { encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) {
    throw new Error(`${cmd} failed (exit ${r.status ?? r.signal}): ${(r.stderr || r.stdout || String(r.error ?? '')).trim()}`);
  }
}

export async function startPostgres(): Promise<RunningPostgres> {
  const binDir = findPostgresBin();
  if (!binDir) {
    throw new Error(
      'PostgreSQL is not installed: initdb, pg_ctl and postgres were not found in PATH or /usr/lib/postgresql/*/bin. ' +
        'Install it (Debian: apt-get install postgresql; `npm test` does it when run as root) — the PostgreSQL integration tests need a real server.',
    );
  }
  const asUser = process.getuid?.() === 0 ? 'postgres' : undefined;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'closedesk-pg-'));
  const dataDir = path.join(dir, 'data');
  const sockDir = path.join(dir, 'sock');
  fs.mkdirSync(sockDir);
  if (asUser) {
    fs.chmodSync(dir, 0o755);
    execFileSync('chown', ['-R', `${asUser}:`, dir]);
  }
  run(binDir, asUser, 'initdb', ['-D', dataDir, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C', '--no-sync']);
  const port = await freePort();
  const opts = [
    `-p ${port}`,
    '-c listen_addresses=127.0.0.1',
    `-k ${sockDir}`,
    '-c fsync=off',
    '-c synchronous_commit=off',
    '-c full_page_writes=off',
    '-c max_connections=200',
  ].join(' ');
  run(binDir, asUser, 'pg_ctl', ['-D', dataDir, '-l', path.join(dir, 'postgres.log'), '-o', opts, '-w', '-t', '60', 'start']);
  const running: RunningPostgres = { url: `postgres://postgres@127.0.0.1:${port}/postgres`, dir, dataDir, binDir, asUser };
  running.watchdogPid = startWatchdog(running, process.pid);
  return running;
}

/**
 * A detached node process that polls the test runner's pid and, once it is gone (killed, timed
 * out), stops the server and removes its folder — so an aborted run leaves no PostgreSQL behind.
 */
function startWatchdog(p: RunningPostgres, ownerPid: number): number | undefined {
  const script = `
    const { spawnSync } = require('node:child_process');
    const fs = require('node:fs');
    const [owner, ctl, user, data, dir] = process.argv.slice(1);
    const alive = () => { try { process.kill(Number(owner), 0); return true; } catch { return false; } };
    const timer = setInterval(() => {
      if (alive()) return;
      clearInterval(timer);
      if (fs.existsSync(data)) {
        const args = ['-D', data, '-m', 'immediate', '-w', 'stop'];
        user ? spawnSync('runuser', ['-u', user, '--', ctl, ...args]) : spawnSync(ctl, args);
      }
      fs.rmSync(dir, { recursive: true, force: true });
    }, 1000);`;
  const child = spawn(process.execPath, ['-e', script, String(ownerPid), path.join(p.binDir, 'pg_ctl'), p.asUser ?? '', p.dataDir, p.dir], {
    detached: true,
    stdio: 'ignore',
  });
  child.unref();
  return child.pid;
}

export function stopPostgres(p: RunningPostgres): void {
  if (p.watchdogPid) {
    try {
      process.kill(p.watchdogPid);
    } catch {
      // already gone
    }
  }
  try {
    run(p.binDir, p.asUser, 'pg_ctl', ['-D', p.dataDir, '-m', 'immediate', '-w', 'stop']);
  } finally {
    fs.rmSync(p.dir, { recursive: true, force: true });
  }
}

/** A fresh, empty database on the shared test server; the URL to connect to it. */
export async function createTestDatabase(): Promise<string> {
  const url = process.env[PG_URL_ENV];
  if (!url) {
    throw new Error(
      process.env[PG_ERROR_ENV] ??
        `No test PostgreSQL server: ${PG_URL_ENV} is not set. Run the integration tests through jest (its globalSetup starts the server).`,
    );
  }
  const name = `closedesk_${process.pid}_${randomBytes(4).toString('hex')}`;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}
