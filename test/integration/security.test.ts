/**
 * Attacks on sign-in, on SQLite and on a real PostgreSQL. The route list comes from the app itself
 * (app.routeTable()), so a route added later is attacked too:
 * - every route × {no token, garbage, expired, not yet valid, wrong audience, wrong issuer, other
 *   key, alg none, HS256 signed with the public key, an ID token} → 401 (public routes: never 401);
 * - every route × each role → 403 exactly when the route's documented roles (server/README.md,
 *   generated from the same table) do not include it;
 * - the path as the router decodes it (`/%61pi/me`) is what auth sees;
 * - the development sign-in: no client-chosen lifetime, a 12-hour cap, refused on a non-loopback
 *   HOST (the server process does not start), and 100 attempts in a second → 429.
 */
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type JWK, type KeyLike } from 'jose';
import type { FastifyInstance } from 'fastify';
import { buildApp, type RouteInfo } from '../../server/app';
import { hasRole, ROLES, type Role } from '../../server/auth';
import { ConfigError, loadConfig, type Config } from '../../server/config';
import { routesMarkdown } from '../../scripts/readme-routes';
import { BACKENDS, openTestBackend, TEST_MASTER_KEY, type TestBackend } from './backends';

const ROOT = path.join(__dirname, '..', '..');
const ISSUER = 'https://idp.closedesk.test/tenant';
const AUDIENCE = 'api://closedesk-test';

/** A path for the route with its parameters filled in. */
function concretePath(url: string): string {
  return url.replace(/:(\w+)/g, 'nope-$1').replace(/\*$/, 'taskpane.html');
}

const b64url = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

interface Keys {
  key: KeyLike;
  jwk: JWK;
  publicPem: string;
  other: KeyLike;
}

async function makeKeys(): Promise<Keys> {
  const pair = await generateKeyPair('RS256', { extractable: true });
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'idp-key-1', alg: 'RS256', use: 'sig' };
  return { key: pair.privateKey, jwk, publicPem: await exportSPKI(pair.publicKey), other: (await generateKeyPair('RS256')).privateKey };
}

function tokens(k: Keys) {
  const now = Math.floor(Date.now() / 1000);
  const sign = (claims: Record<string, unknown>, o: { key?: KeyLike; iss?: string; aud?: string; exp?: number; nbf?: number } = {}) => {
    const jwt = new SignJWT({ preferred_username: 'eve@example.com', ...claims })
      .setProtectedHeader({ alg: 'RS256', kid: 'idp-key-1', typ: 'JWT' })
      .setIssuer(o.iss ?? ISSUER)
      .setAudience(o.aud ?? AUDIENCE)
      .setSubject('eve-oid')
      .setIssuedAt(now - 60)
      .setExpirationTime(o.exp ?? now + 3600);
    if (o.nbf !== undefined) jwt.setNotBefore(o.nbf);
    return jwt.sign(o.key ?? k.key);
  };
  const payload = { iss: ISSUER, aud: AUDIENCE, sub: 'eve-oid', preferred_username: 'eve@example.com', roles: ['admin'], iat: now, exp: now + 3600 };
  const unsigned = `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(payload)}.`;
  const hsInput = `${b64url({ alg: 'HS256', typ: 'JWT', kid: 'idp-key-1' })}.${b64url(payload)}`;
  const hs256WithPublicKey = `${hsInput}.${createHmac('sha256', k.publicPem).update(hsInput).digest('base64url')}`;
  return {
    async attacks(): Promise<[string, string | undefined][]> {
      return [
        ['no token', undefined],
        ['garbage', 'Bearer not.a.token'],
        ['not a bearer header', 'Basic ZXZlOnNlY3JldA=='],
        ['expired', `Bearer ${await sign({ roles: ['admin'] }, { exp: now - 3600 })}`],
        ['not yet valid', `Bearer ${await sign({ roles: ['admin'] }, { nbf: now + 3600 })}`],
        ['wrong audience', `Bearer ${await sign({ roles: ['admin'] }, { aud: 'api://another-app' })}`],
        ['wrong issuer', `Bearer ${await sign({ roles: ['admin'] }, { iss: 'https://evil.example.com' })}`],
        ['other key', `Bearer ${await sign({ roles: ['admin'] }, { key: k.other })}`],
        ['alg none', `Bearer ${unsigned}`],
        ['HS256 with the public key', `Bearer ${hs256WithPublicKey}`],
        ['ID token', `Bearer ${await sign({ roles: ['admin'], nonce: 'n-0S6_WzA2Mj' }, { aud: AUDIENCE })}`],
      ];
    },
    role: (roles: Role[]) => sign({ roles }).then((t) => `Bearer ${t}`),
  };
}

async function inject(app: FastifyInstance, route: RouteInfo, authorization?: string) {
  const withBody = ['POST', 'PUT', 'PATCH'].includes(route.method);
  return app.inject({
    method: route.method as 'GET',
    url: concretePath(route.url),
    headers: { ...(authorization ? { authorization } : {}), ...(withBody ? { 'content-type': 'application/json' } : {}) },
    ...(withBody ? { payload: '{}' } : {}),
  });
}

/** The routes the matrix covers: everything but the CORS preflight (it carries no credentials by design). */
const attacked = (app: FastifyInstance) => app.routeTable().filter((r) => r.method !== 'OPTIONS');

describe.each(BACKENDS)('sign-in attacks on %s', (backend) => {
  let t: TestBackend;
  let app: FastifyInstance;
  let jwksServer: http.Server;
  let keys: Keys;
  let tok: ReturnType<typeof tokens>;

  beforeAll(async () => {
    t = await openTestBackend(backend);
    keys = await makeKeys();
    jwksServer = http.createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: [keys.jwk] }));
    });
    await new Promise<void>((r) => jwksServer.listen(0, '127.0.0.1', r));
    const staticDir = path.join(t.dir, 'dist');
    fs.mkdirSync(staticDir, { recursive: true });
    fs.writeFileSync(path.join(staticDir, 'taskpane.html'), '<!doctype html><title>CloseDesk</title>');
    const config = loadConfig(
      {
        CLOSEDESK_DATA_DIR: t.dir,
        CLOSEDESK_DATASETS_DIR: path.join(t.dir, 'datasets'),
        CLOSEDESK_STATIC_DIR: staticDir,
        DATABASE_URL: t.databaseUrl,
        CLOSEDESK_HTTPS: 'off',
        CLOSEDESK_MASTER_KEY: TEST_MASTER_KEY.toString('base64'),
        LOG_LEVEL: 'silent',
        AUTH_ISSUER: ISSUER,
        AUTH_AUDIENCE: AUDIENCE,
        AUTH_JWKS_URL: `http://127.0.0.1:${(jwksServer.address() as { port: number }).port}/keys`,
        AUTH_CLIENT_ID: 'closedesk-pane',
      },
      t.dir,
    );
    app = await buildApp(config, { store: t.store });
    await app.ready();
    tok = tokens(keys);
  });
  afterAll(async () => {
    await app?.close();
    await new Promise((r) => jwksServer?.close(r));
    await t?.cleanup();
  });

  test('the route table is the one documented in server/README.md (run `npx tsx scripts/readme-routes.ts`)', () => {
    const readme = fs.readFileSync(path.join(ROOT, 'server', 'README.md'), 'utf8');
    expect(readme).toContain(routesMarkdown(app.routeTable()));
    // Every protected route asks for a role or for any signed-in user, never nothing at all.
    expect(attacked(app).filter((r) => !r.public).length).toBeGreaterThan(40);
  });

  test('every route refuses every forged, stale or misdirected token with 401; public routes never ask for one', async () => {
    const attacks = await tok.attacks();
    const wrong: string[] = [];
    let checked = 0;
    for (const route of attacked(app)) {
      for (const [name, header] of attacks) {
        const r = await inject(app, route, header);
        checked++;
        if (route.public ? r.statusCode === 401 || r.statusCode === 403 : r.statusCode !== 401) {
          wrong.push(`${route.method} ${route.url} with ${name}: ${r.statusCode} ${r.body.slice(0, 120)}`);
        }
        if (!route.public && r.statusCode === 401 && route.method !== 'HEAD' && !/^\{"error":\{"code":"(no-token|token-[a-z-]+)","message":"[^"]+"/.test(r.body)) {
          wrong.push(`${route.method} ${route.url} with ${name}: 401 without a sentence: ${r.body.slice(0, 120)}`);
        }
      }
    }
    expect(wrong).toEqual([]);
    expect(checked).toBe(attacked(app).length * attacks.length);
  });

  test('each role gets 403 exactly where the documented roles leave it out (admin passes every check)', async () => {
    const sessions: [string, Role[]][] = [['no role', []], ...ROLES.map((r): [string, Role[]] => [r, [r]])];
    const headers = new Map<string, string>();
    for (const [name, roles] of sessions) headers.set(name, await tok.role(roles));
    const wrong: string[] = [];
    for (const route of attacked(app)) {
      if (route.public) continue;
      for (const [name, roles] of sessions) {
        const r = await inject(app, route, headers.get(name));
        const allowed = !route.roles || hasRole({ id: 'eve', roles }, route.roles);
        const refused = r.statusCode === 403 && (route.method === 'HEAD' || r.json().error.code === 'wrong-role');
        if (r.statusCode === 401 || allowed === refused) {
          wrong.push(`${route.method} ${route.url} as ${name}: ${r.statusCode}, expected ${allowed ? 'to pass the role check' : '403'}: ${r.body.slice(0, 120)}`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  test('auth sees the path the router decodes: /%61pi/me is /api/me', async () => {
    const asAdmin = await tok.role(['admin']);
    for (const url of ['/%61pi/me', '/api/%6De', '/%61%70%69/secrets', '/api/./me', '/api/datasets/../me']) {
      const anonymous = await app.inject({ method: 'GET', url });
      expect([url, anonymous.statusCode]).toEqual([url, 401]);
    }
    const me = await app.inject({ method: 'GET', url: '/%61pi/me', headers: { authorization: asAdmin } });
    expect(me.statusCode).toBe(200);
    expect(me.json().user).toMatchObject({ issuer: ISSUER, subject: 'eve-oid', username: 'eve@example.com', roles: ['admin'] });
    // An unknown path under /api asks for a token before saying it does not exist.
    expect((await app.inject({ method: 'GET', url: '/%61pi/nothing-here' })).statusCode).toBe(401);
  });

  test('the task pane learns how to sign in; the development sign-in is off', async () => {
    const c = await app.inject({ method: 'GET', url: '/api/auth/config' });
    expect(c.json()).toEqual({
      mode: 'msal',
      provider: 'oidc',
      clientId: 'closedesk-pane',
      authority: ISSUER,
      knownAuthorities: ['idp.closedesk.test'],
      scopes: ['api://closedesk-pane/access_as_user'],
      redirectPath: '/auth-redirect.html',
    });
    const dev = await app.inject({ method: 'POST', url: '/api/dev/sign-in', payload: { user: 'mallory', role: 'admin' } });
    expect(dev.statusCode).toBe(404);
  });
});

describe('development sign-in', () => {
  let t: TestBackend;
  let config: Config;
  let app: FastifyInstance;
  beforeAll(async () => {
    t = await openTestBackend('sqlite');
    config = loadConfig({ CLOSEDESK_DATA_DIR: t.dir, CLOSEDESK_HTTPS: 'off', CLOSEDESK_MASTER_KEY: TEST_MASTER_KEY.toString('base64'), LOG_LEVEL: 'silent', CLOSEDESK_STATIC_DIR: path.join(t.dir, 'none') }, t.dir);
    app = await buildApp(config, { store: t.store });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await t?.cleanup();
  });

  test('the caller cannot choose the lifetime: a ttl is refused, the token lives 8 hours', async () => {
    const long = await app.inject({ method: 'POST', url: '/api/dev/sign-in', payload: { user: 'mallory', role: 'admin', ttl: '36500d' }, remoteAddress: '127.0.0.11' });
    expect(long.statusCode).toBe(400);
    expect(long.json().error.message).toMatch(/lifetime is set by the server/);
    const ok = await app.inject({ method: 'POST', url: '/api/dev/sign-in', payload: { user: 'mallory', role: 'admin' }, remoteAddress: '127.0.0.11' });
    const claims = JSON.parse(Buffer.from(ok.json().token.split('.')[1], 'base64url').toString()) as { iat: number; exp: number };
    expect(claims.exp - claims.iat).toBe(8 * 3600);
    await expect(app.ctx.auth.devIssuer!.sign({ user: 'mallory', roles: ['admin'], ttl: '13h' })).rejects.toThrow(/at most 12 hours/);
  });

  test('100 sign-in attempts in a second → 429 after the limit, with a sentence; health and other addresses are not held back', async () => {
    const attempts = await Promise.all(
      Array.from({ length: 100 }, (_, i) => app.inject({ method: 'POST', url: '/api/dev/sign-in', payload: { user: `u${i}`, role: 'preparer' }, remoteAddress: '127.0.0.12' })),
    );
    const codes = attempts.map((r) => r.statusCode);
    expect(codes.filter((c) => c === 200)).toHaveLength(config.publicRateLimit);
    expect(codes.filter((c) => c === 429)).toHaveLength(100 - config.publicRateLimit);
    const refused = attempts.find((r) => r.statusCode === 429)!;
    expect(refused.json().error).toMatchObject({ code: 'too-many-requests', message: expect.stringMatching(/^Too many requests from your address; wait .+ and try again\.$/) });
    expect(refused.headers['retry-after']).toBeDefined();
    const health = await Promise.all(Array.from({ length: 100 }, () => app.inject({ method: 'GET', url: '/api/health', remoteAddress: '127.0.0.12' })));
    expect(health.every((r) => r.statusCode === 200)).toBe(true);
    const other = await app.inject({ method: 'POST', url: '/api/dev/sign-in', payload: { user: 'dora', role: 'preparer' }, remoteAddress: '127.0.0.13' });
    expect(other.statusCode).toBe(200);
  });

  test('with the development issuer a non-loopback HOST is refused before anything listens', async () => {
    for (const host of ['0.0.0.0', '::', '192.168.1.20', 'closedesk.example.com']) {
      const c = loadConfig({ CLOSEDESK_DATA_DIR: t.dir, CLOSEDESK_HTTPS: 'off', CLOSEDESK_MASTER_KEY: TEST_MASTER_KEY.toString('base64'), HOST: host }, t.dir);
      await expect(buildApp(c, { store: t.store })).rejects.toThrow(ConfigError);
    }
    for (const host of ['127.0.0.1', 'localhost', '::1', '127.0.0.2']) {
      const c = loadConfig({ CLOSEDESK_DATA_DIR: t.dir, CLOSEDESK_HTTPS: 'off', CLOSEDESK_MASTER_KEY: TEST_MASTER_KEY.toString('base64'), LOG_LEVEL: 'silent', HOST: host }, t.dir);
      const a = await buildApp(c, { store: t.store });
      await a.close();
    }
  });

  test('the server process does not start with the development issuer on HOST=0.0.0.0', async () => {
    const dir = fs.mkdtempSync(path.join(t.dir, 'proc-'));
    const child = spawn(path.join(ROOT, 'node_modules', '.bin', 'tsx'), [path.join(ROOT, 'server', 'main.ts')], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? dir, HOST: '0.0.0.0', PORT: '0', CLOSEDESK_DATA_DIR: dir, CLOSEDESK_HTTPS: 'off', LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(code).toBe(2);
    expect(out).toMatch(/HOST is 0\.0\.0\.0, but the development sign-in is on/);
    expect(out).not.toMatch(/backend ready/);
  });
});
