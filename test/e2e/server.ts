/** Starts H1's real server (server/app.ts buildApp) for the end-to-end tests, on a free loopback port. */
import { createServer, type AddressInfo } from 'node:net';
import { buildApp } from '../../server/app';
import { loadConfig } from '../../server/config';

export interface RunningServer {
  origin: string;
  close(): Promise<void>;
}

export interface E2eServerOptions {
  dataDir: string;
  datasetsDir: string;
  distDir: string;
  /** A port chosen beforehand (e.g. registered as a sign-in redirect at an identity provider). */
  port?: number;
  /** More settings (e.g. an identity provider's). */
  env?: Record<string, string>;
}

/** A port the OS just handed out, so the server's CORS origin can name it before it listens. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export async function startE2eServer(o: E2eServerOptions): Promise<RunningServer> {
  const port = o.port ?? (await freePort());
  const origin = `http://127.0.0.1:${port}`;
  const config = loadConfig({
    CLOSEDESK_DATA_DIR: o.dataDir,
    CLOSEDESK_DATASETS_DIR: o.datasetsDir,
    CLOSEDESK_STATIC_DIR: o.distDir,
    CLOSEDESK_HTTPS: 'off',
    HOST: '127.0.0.1',
    PORT: String(port),
    CLOSEDESK_ADDIN_ORIGIN: origin,
    LOG_LEVEL: 'error',
    ...o.env,
  });
  const app = await buildApp(config);
  await app.listen({ port, host: '127.0.0.1' });
  return { origin, close: () => app.close() };
}
