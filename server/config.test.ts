import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { assertSafeToServe, ConfigError, DEV_AUDIENCE, DEV_ISSUER, envSchema, isLoopbackHost, loadConfig, parseMasterKey, settingsTable } from './config';

describe('loadConfig', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'closedesk-config-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('defaults: port 3000 on 127.0.0.1, SQLite in ./data, dev issuer, 10 MB, own origin for CORS', () => {
    const c = loadConfig({ CLOSEDESK_HTTPS: 'off' }, dir);
    expect(c).toMatchObject({
      port: 3000,
      host: '127.0.0.1',
      dataDir: path.join(dir, 'data'),
      sqliteFile: path.join(dir, 'data', 'closedesk.sqlite'),
      datasetsDir: path.join(dir, 'data', 'demo'),
      databaseUrl: undefined,
      bodyLimit: 10 * 1024 * 1024,
      logLevel: 'info',
      auth: { mode: 'dev', issuer: DEV_ISSUER, audience: DEV_AUDIENCE },
      corsOrigins: ['http://localhost:3000', 'http://127.0.0.1:3000'],
      staticDir: path.join(dir, 'dist'),
      tls: undefined,
    });
  });

  test('the development master key is generated once, kept in the data dir, with a warning', () => {
    const a = loadConfig({ CLOSEDESK_HTTPS: 'off' }, dir);
    expect(a.masterKeyGenerated).toBe(true);
    expect(a.masterKey).toHaveLength(32);
    expect(a.warnings.join(' ')).toMatch(/Generated a development master key/);
    const b = loadConfig({ CLOSEDESK_HTTPS: 'off' }, dir);
    expect(b.masterKey.equals(a.masterKey)).toBe(true);
    expect(fs.statSync(path.join(dir, 'data', 'master.key')).mode & 0o077).toBe(0);
  });

  test('an explicit master key in hex or base64; a wrong length is refused with a sentence', () => {
    const hex = 'ab'.repeat(32);
    expect(parseMasterKey(hex).toString('hex')).toBe(hex);
    expect(parseMasterKey(Buffer.alloc(32, 9).toString('base64')).equals(Buffer.alloc(32, 9))).toBe(true);
    expect(() => loadConfig({ CLOSEDESK_MASTER_KEY: 'short', CLOSEDESK_HTTPS: 'off' }, dir)).toThrow(/32 bytes/);
  });

  test('every bad setting is named in one error', () => {
    let err: unknown;
    try {
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud', AUTH_JWKS_URL: 'https://idp.example.com/keys' }, dir);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const msg = (err as Error).message;
    for (const name of ['PORT', 'DATABASE_URL', 'LOG_LEVEL', 'AUTH_JWKS_URL']) expect(msg).toContain(name);
    expect(msg).toMatch(/needs AUTH_ISSUER and AUTH_AUDIENCE/);
  });

  test('external identity provider, PostgreSQL, CORS list, HTTPS with given files', () => {
    fs.writeFileSync(path.join(dir, 'c.crt'), 'x');
    fs.writeFileSync(path.join(dir, 'c.key'), 'x');
    const c = loadConfig(
      {
        AUTH_ISSUER: 'https://login.microsoftonline.com/t/v2.0',
        AUTH_AUDIENCE: 'api://closedesk',
        AUTH_JWKS_URL: 'https://login.microsoftonline.com/t/discovery/v2.0/keys',
        DATABASE_URL: 'postgres://u:p@db:5432/closedesk',
        CLOSEDESK_ADDIN_ORIGIN: 'https://a.example.com/, https://b.example.com',
        TLS_CERT_FILE: 'c.crt',
        TLS_KEY_FILE: 'c.key',
        PORT: '8443',
        BODY_LIMIT_BYTES: '2048',
      },
      dir,
    );
    expect(c.auth).toEqual({
      mode: 'jwks',
      issuer: 'https://login.microsoftonline.com/t/v2.0',
      audience: 'api://closedesk',
      jwksUrl: 'https://login.microsoftonline.com/t/discovery/v2.0/keys',
      rolesClaim: 'roles',
    });
    expect(c.corsOrigins).toEqual(['https://a.example.com', 'https://b.example.com']);
    expect(c.tls).toEqual({ certFile: path.join(dir, 'c.crt'), keyFile: path.join(dir, 'c.key') });
    expect(c.port).toBe(8443);
    expect(c.bodyLimit).toBe(2048);
    expect(() => loadConfig({ CLOSEDESK_HTTPS: 'on', TLS_CERT_FILE: 'missing.crt' }, dir)).toThrow(/does not exist/);
  });

  test('signing keys over https only (http on loopback); the pane sign-in settings follow the provider', () => {
    const idp = { AUTH_ISSUER: 'https://login.microsoftonline.com/tid/v2.0', AUTH_AUDIENCE: 'f00d-cafe', CLOSEDESK_HTTPS: 'off' };
    expect(() => loadConfig({ ...idp, AUTH_JWKS_URL: 'http://login.example.com/keys' }, dir)).toThrow(/AUTH_JWKS_URL: must be an https URL \(plain http only on a loopback address/);
    expect(loadConfig({ ...idp, AUTH_JWKS_URL: 'http://127.0.0.1:8080/keys' }, dir).auth.jwksUrl).toBe('http://127.0.0.1:8080/keys');
    const entra = loadConfig({ ...idp, AUTH_JWKS_URL: 'https://login.microsoftonline.com/tid/discovery/v2.0/keys', AUTH_CLIENT_ID: 'f00d-cafe' }, dir);
    expect(entra.auth.signIn).toEqual({ provider: 'entra', clientId: 'f00d-cafe', authority: 'https://login.microsoftonline.com/tid', scopes: ['api://f00d-cafe/access_as_user'] });
    const oidc = loadConfig(
      {
        AUTH_ISSUER: 'https://sso.example.com/realms/finance',
        AUTH_AUDIENCE: 'closedesk',
        AUTH_JWKS_URL: 'https://sso.example.com/realms/finance/certs',
        AUTH_CLIENT_ID: 'closedesk-pane',
        AUTH_SCOPES: 'closedesk/access_as_user openid',
        AUTH_ROLES_CLAIM: 'realm_access.roles',
        CLOSEDESK_HTTPS: 'off',
      },
      dir,
    );
    expect(oidc.auth).toMatchObject({ rolesClaim: 'realm_access.roles', signIn: { provider: 'oidc', authority: 'https://sso.example.com/realms/finance', scopes: ['closedesk/access_as_user', 'openid'] } });
    expect(() => loadConfig({ AUTH_CLIENT_ID: 'x', CLOSEDESK_HTTPS: 'off' }, dir)).toThrow(/AUTH_CLIENT_ID: only used with an identity provider/);
    expect(loadConfig({ ...idp, AUTH_JWKS_URL: 'https://login.microsoftonline.com/tid/discovery/v2.0/keys' }, dir).warnings.join(' ')).toMatch(/AUTH_CLIENT_ID is not set/);
  });

  test('the development issuer is refused off loopback; the audit key and checkpoint file have their own settings', () => {
    const dev = loadConfig({ CLOSEDESK_HTTPS: 'off', HOST: '0.0.0.0' }, dir);
    expect(() => assertSafeToServe(dev)).toThrow(/HOST is 0\.0\.0\.0, but the development sign-in is on/);
    for (const h of ['127.0.0.1', 'localhost', '::1', '[::1]', '127.1.2.3']) expect(isLoopbackHost(h)).toBe(true);
    for (const h of ['0.0.0.0', '::', '10.0.0.1', '128.0.0.1', 'localhost.example.com']) expect(isLoopbackHost(h)).toBe(false);
    const c = loadConfig({ CLOSEDESK_HTTPS: 'off', CLOSEDESK_AUDIT_KEY: 'cd'.repeat(32), CLOSEDESK_AUDIT_CHECKPOINTS: 'audit/cp.log' }, dir);
    expect(c.audit).toEqual({ key: Buffer.from('cd'.repeat(32), 'hex'), checkpointsFile: path.join(dir, 'audit', 'cp.log') });
    expect(loadConfig({ CLOSEDESK_HTTPS: 'off' }, dir).audit).toEqual({ checkpointsFile: path.join(dir, 'data', 'audit-checkpoints.log') });
    expect(() => loadConfig({ CLOSEDESK_HTTPS: 'off', CLOSEDESK_AUDIT_KEY: 'short' }, dir)).toThrow(/CLOSEDESK_AUDIT_KEY must be 32 bytes/);
  });

  test('the settings table documents every variable of the schema', () => {
    const names = settingsTable().map((s) => s.name);
    const schemaNames = Object.keys(envSchema.shape);
    expect(schemaNames.length).toBeGreaterThan(10);
    expect(names.sort()).toEqual(schemaNames.sort());
    for (const s of settingsTable()) {
      expect(s.meaning.length).toBeGreaterThan(10);
    }
  });
});
