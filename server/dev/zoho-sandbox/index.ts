/**
 * startZohoSandbox({ port, dataDir? }) → { url, close() }: the Zoho Books sandbox on loopback.
 * `url` serves both the accounts server (/oauth/v2/token) and the API (/books/v3); point a Zoho
 * connection's accounts and API base URLs at it. scripts/start-all.ts starts it with `npm start`.
 */
import { setLocalSandboxUrl } from '../../zoho/local-sandbox';
import { createSandbox, type Sandbox, type SandboxOptions } from './app';

export type { Sandbox, SandboxFaults, SandboxLimits, SandboxOptions, SandboxStats, WriteHook } from './app';
export { lateWrites, type LateWrites, type LateWriteEvent } from './late-writes';
export type { SeedIds } from './state';
export { createSandbox };

export interface RunningSandbox {
  url: string;
  /** The API base to give a Zoho connection: `${url}/books/v3`. */
  apiBase: string;
  sandbox: Sandbox;
  close(): Promise<void>;
}

export async function startZohoSandbox(opts: { port: number; host?: string; /** Offer it on the Connections page (default when a dataDir is given: `npm start`). */ register?: boolean } & SandboxOptions): Promise<RunningSandbox> {
  const sandbox = createSandbox(opts);
  const host = opts.host ?? '127.0.0.1';
  await sandbox.app.listen({ port: opts.port, host });
  const addr = sandbox.app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : opts.port;
  const url = `http://${host}:${port}`;
  const register = opts.register ?? Boolean(opts.dataDir);
  if (register) setLocalSandboxUrl(url);
  return {
    url,
    apiBase: `${url}/books/v3`,
    sandbox,
    close: async () => {
      if (register) setLocalSandboxUrl(null);
      await sandbox.app.close();
    },
  };
}
