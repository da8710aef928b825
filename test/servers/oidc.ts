/**
 * Starts the test OpenID Connect provider (test/servers/oidc-provider.mjs, a real oidc-provider)
 * in a child process on 127.0.0.1 over HTTPS with a self-signed certificate, and gives the
 * settings a CloseDesk server needs to trust it. Users: alice (preparer), bob (approver), carol (admin).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { selfSignedCertificate } from './ftp';

export const OIDC_USERS = {
  alice: { password: 'alice-pw-1', name: 'Alice Preparer', roles: ['preparer'] },
  bob: { password: 'bob-pw-2', name: 'Bob Approver', roles: ['approver'] },
  carol: { password: 'carol-pw-3', name: 'Carol Admin', roles: ['admin'] },
} as const;

export interface TestOidcProvider {
  issuer: string;
  clientId: string;
  audience: string;
  /** The scope the task pane asks for (the provider's name for "call CloseDesk"). */
  scope: string;
  /** PEM of the provider's certificate (its own CA). */
  caFile: string;
  /** Settings for a CloseDesk server that trusts this provider. */
  serverEnv: Record<string, string>;
  /** grant_type of every token the provider issued so far (authorization_code, refresh_token). */
  grants: string[];
  close(): Promise<void>;
}

export interface OidcProviderOptions {
  /** Folder for the certificate (removed by the caller). */
  dir: string;
  /** Where the task pane's sign-in may return (exact URLs). */
  redirectUris: string[];
  /** Access token lifetime in seconds; under MSAL's 5-minute renewal margin every API call renews silently. */
  accessTokenTtl?: number;
}

const SCRIPT = path.join(__dirname, 'oidc-provider.mjs');
const START_DEADLINE_MS = 30_000;

export async function startOidcProvider(o: OidcProviderOptions): Promise<TestOidcProvider> {
  const { key, cert } = selfSignedCertificate(o.dir);
  const caFile = path.join(o.dir, 'tls.crt');
  const clientId = 'closedesk-pane';
  const audience = 'api://closedesk-e2e';
  const scope = 'access_as_user';
  const args = { key, cert, clientId, redirectUris: o.redirectUris, audience, scope, accessTokenTtl: o.accessTokenTtl ?? 3600, users: OIDC_USERS };
  const child: ChildProcess = spawn(process.execPath, [SCRIPT, JSON.stringify(args)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const grants: string[] = [];

  const issuer = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`The test OIDC provider did not start within ${START_DEADLINE_MS / 1000} s. ${stderr}`));
    }, START_DEADLINE_MS);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`The test OIDC provider exited (${code}) before listening. ${stderr}`));
    });
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const msg = JSON.parse(line) as { issuer?: string; event?: string; grantType?: string };
      if (msg.issuer) {
        clearTimeout(timer);
        resolve(msg.issuer);
      } else if (msg.event === 'grant' && msg.grantType) grants.push(msg.grantType);
    });
  });

  return {
    issuer,
    clientId,
    audience,
    scope,
    caFile,
    grants,
    serverEnv: {
      AUTH_ISSUER: issuer,
      AUTH_AUDIENCE: audience,
      AUTH_JWKS_URL: `${issuer}/jwks`,
      AUTH_CA_FILE: caFile,
      AUTH_CLIENT_ID: clientId,
      AUTH_SCOPES: scope,
      AUTH_PROVIDER: 'oidc',
    },
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}

