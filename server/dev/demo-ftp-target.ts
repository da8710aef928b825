/**
 * The demo file-transfer target started by `npm start`: an FTP server on loopback writing into a
 * folder, so "Send" works out of the box. The backend registers it as the partner
 * "Demo FTP (loopback)" for every card network (dev/demo-partner.ts, on start-up); the password
 * is random per start and kept only in the encrypted secrets store.
 * Uses ftp-srv (a development dependency, present wherever `npm start` runs).
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export const DEMO_PARTNER_NAME = 'Demo FTP (loopback)';

export interface DemoFtpTarget {
  url: string;
  host: string;
  port: number;
  username: string;
  password: string;
  /** Folder on disk where delivered files land. */
  dir: string;
  close(): Promise<void>;
}

let active: DemoFtpTarget | undefined;
/** The running demo target in this process, if any (the route module registers it as a partner). */
export function activeDemoTarget(): DemoFtpTarget | undefined {
  return active;
}

const quiet: Record<string, unknown> = {};
for (const m of ['trace', 'debug', 'info', 'warn', 'error', 'fatal']) quiet[m] = () => undefined;
quiet.child = () => quiet;

export async function startDemoFtpTarget(dir: string, options: { port?: number } = {}): Promise<DemoFtpTarget> {
  fs.mkdirSync(path.join(dir, 'inbox'), { recursive: true });
  let FtpSrv: typeof import('ftp-srv').FtpSrv;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    ({ FtpSrv } = require('ftp-srv') as typeof import('ftp-srv'));
  } catch {
    throw new Error('The demo FTP target needs the ftp-srv package (a development dependency): run npm install.');
  }
  const username = 'closedesk-demo';
  const password = randomBytes(18).toString('base64url');
  const wanted = options.port ?? Number(process.env.CLOSEDESK_DEMO_FTP_PORT ?? 2121);

  const listen = async (port: number) => {
    const signals = ['SIGTERM', 'SIGINT', 'SIGQUIT'] as const;
    const before = new Map(signals.map((s) => [s, new Set(process.listeners(s))]));
    const srv = new FtpSrv({ url: `ftp://127.0.0.1:${port}`, pasv_url: '127.0.0.1', pasv_min: 40000, pasv_max: 40999, anonymous: false, log: quiet as never });
    // ftp-srv would exit the process on these signals; the start script stops it itself.
    for (const s of signals) for (const l of process.listeners(s)) if (!before.get(s)!.has(l)) process.removeListener(s, l);
    srv.on('login', ({ username: u, password: p }, resolve, reject) =>
      u === username && p === password ? resolve({ root: dir, cwd: '/' }) : reject(new Error('Invalid user name or password')),
    );
    srv.on('client-error', () => undefined);
    await srv.listen();
    return srv;
  };
  let srv;
  try {
    srv = await listen(wanted);
  } catch {
    srv = await listen(0); // the usual port is taken: any free one
  }
  const port = (srv as unknown as { server: { address(): { port: number } } }).server.address().port;
  const target: DemoFtpTarget = {
    url: `ftp://127.0.0.1:${port}/inbox`,
    host: '127.0.0.1',
    port,
    username,
    password,
    dir: path.join(dir, 'inbox'),
    async close() {
      if (active === target) active = undefined;
      await srv.close();
    },
  };
  active = target;
  return target;
}
