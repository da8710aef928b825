/**
 * CloseDesk servers as child processes (server/main.ts under tsx), for the tests that kill one with
 * SIGKILL and start another on the same store: the crash-and-restart and several-instances proofs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { createAuth } from '../../server/auth';
import { loadConfig } from '../../server/config';
import type { TestBackend } from './backends';

const ROOT = path.resolve(__dirname, '..', '..');

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  pid: number;
  exited: Promise<number | null>;
  output(): string;
  /** SIGKILL: no shutdown, no lease given back. */
  kill(): Promise<void>;
  /** GET/POST on the server's API with a bearer token. */
  api<T = unknown>(token: string, method: 'GET' | 'POST', url: string, body?: unknown): Promise<{ status: number; body: T }>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** The environment every server of one test shares: the same data dir, store and master key. */
export function serverEnv(b: Pick<TestBackend, 'dir' | 'databaseUrl'>, masterKey: Buffer, extra: Record<string, string> = {}): Record<string, string> {
  const empty = path.join(b.dir, 'empty');
  fs.mkdirSync(empty, { recursive: true });
  return {
    CLOSEDESK_DATA_DIR: b.dir,
    ...(b.databaseUrl ? { DATABASE_URL: b.databaseUrl } : {}),
    CLOSEDESK_MASTER_KEY: masterKey.toString('hex'),
    CLOSEDESK_HTTPS: 'off',
    CLOSEDESK_STATIC_DIR: empty,
    CLOSEDESK_DATASETS_DIR: empty,
    LOG_LEVEL: 'warn',
    ...extra,
  };
}

/** A bearer token the servers of this data dir accept (the development issuer's key is in the data dir). */
export async function tokenFor(env: Record<string, string>, user: string, role: 'preparer' | 'approver'): Promise<string> {
  const config = loadConfig(env, env.CLOSEDESK_DATA_DIR);
  const auth = await createAuth(config.auth, config.dataDir);
  return auth.devIssuer!.sign({ user, roles: [role] });
}

/** Starts a server; a start that fails (e.g. the free port was taken in between) is tried twice more. */
export async function spawnServer(env: Record<string, string>): Promise<ServerProcess> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await spawnOnce(env);
    } catch (e) {
      if (attempt >= 3) throw e;
    }
  }
}

async function spawnOnce(env: Record<string, string>): Promise<ServerProcess> {
  const port = await freePort();
  let output = '';
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'server', 'main.ts')], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let gone = false;
  void exited.then(() => (gone = true));
  const url = `http://127.0.0.1:${port}`;
  // Ready when it answers its health route (it listens after the posting service has started).
  for (;;) {
    if (gone) throw new Error(`The server exited before it was ready:\n${output}`);
    try {
      const r = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(2000) });
      if (r.ok) break;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    child,
    url,
    pid: child.pid!,
    exited,
    output: () => output,
    async kill() {
      if (!gone) child.kill('SIGKILL');
      await exited;
    },
    async api<T>(token: string, method: 'GET' | 'POST', p: string, body?: unknown) {
      const r = await fetch(`${url}${p}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(10_000),
      });
      return { status: r.status, body: (await r.json()) as T };
    },
  };
}
