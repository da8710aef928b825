import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { importJWK, SignJWT, type JWK } from 'jose';
import { bearerToken, claimAt, createAuth, devTokenTtl, hasRole, parseTtl } from './index';

const devConfig = { mode: 'dev' as const, issuer: 'urn:closedesk:dev-issuer', audience: 'closedesk', rolesClaim: 'roles' };

describe('development issuer', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'closedesk-auth-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('the key pair is created once in the data dir, so tokens survive a restart', async () => {
    const first = await createAuth(devConfig, dir);
    const token = await first.devIssuer!.sign({ user: 'alice', roles: ['preparer'] });
    const keyFile = path.join(dir, 'dev-issuer-key.json');
    expect(fs.statSync(keyFile).mode & 0o077).toBe(0);
    const again = await createAuth(devConfig, dir);
    expect(await again.verify(token)).toEqual({
      id: 'urn:closedesk:dev-issuer#alice',
      issuer: 'urn:closedesk:dev-issuer',
      subject: 'alice',
      name: 'alice',
      username: 'alice',
      roles: ['preparer'],
    });
    expect(again.devIssuer!.jwks.keys[0]).not.toHaveProperty('d');
  });

  test('a token without a known role verifies with no roles; unknown role names are dropped', async () => {
    const auth = await createAuth(devConfig, dir);
    await expect(auth.devIssuer!.sign({ user: 'x', roles: [] })).rejects.toThrow(/Roles must be among/);
    const t = await auth.devIssuer!.sign({ user: 'bob', roles: ['approver'] });
    expect((await auth.verify(t)).roles).toEqual(['approver']);
  });

  test('one identity per name whatever its case: the subject is the lower-cased name, the name is kept for display', async () => {
    const auth = await createAuth(devConfig, dir);
    const upper = await auth.verify(await auth.devIssuer!.sign({ user: 'Alice', roles: ['approver'] }));
    const lower = await auth.verify(await auth.devIssuer!.sign({ user: 'alice', roles: ['preparer'] }));
    expect(upper).toMatchObject({ id: 'urn:closedesk:dev-issuer#alice', subject: 'alice', name: 'Alice' });
    expect(upper.id).toBe(lower.id);
    expect((await auth.verify(await auth.devIssuer!.sign({ user: 'alicia', roles: ['preparer'] }))).id).not.toBe(lower.id);
    const named = await auth.verify(await auth.devIssuer!.sign({ user: 'bob', roles: ['approver'], name: 'Bob Baker' }));
    expect(named).toMatchObject({ id: 'urn:closedesk:dev-issuer#bob', name: 'Bob Baker', username: 'bob' });
  });

  test('an expired token is refused with a sentence', async () => {
    const auth = await createAuth(devConfig, dir);
    const t = await auth.devIssuer!.sign({ user: 'bob', roles: ['approver'], ttl: -3600 });
    await expect(auth.verify(t)).rejects.toMatchObject({ statusCode: 401, code: 'token-expired', message: 'Your sign-in has expired; sign in again.' });
  });
});

test('durations, bearer headers and roles', () => {
  expect([parseTtl('30m'), parseTtl('8h'), parseTtl('7d'), parseTtl('45'), parseTtl(60)]).toEqual([1800, 28800, 604800, 45, 60]);
  expect(() => parseTtl('soon')).toThrow(/not a duration/);
  expect(bearerToken('Bearer abc.def.ghi')).toBe('abc.def.ghi');
  expect(bearerToken(undefined)).toBeUndefined();
  expect(() => bearerToken('Token abc')).toThrow(/Bearer <token>/);
  expect(hasRole({ id: 'a', roles: ['admin'] }, ['approver'])).toBe(true);
  expect(hasRole({ id: 'a', roles: ['preparer'] }, ['approver'])).toBe(false);
  expect(hasRole({ id: 'a', roles: ['preparer', 'approver'] }, ['approver'])).toBe(true);
});

describe('roles claim, token kinds, lifetimes', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'closedesk-auth-claims-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('roles come from the configured claim, a dotted path included', async () => {
    const p = { realm_access: { roles: ['Approver', 'viewer'] }, 'urn:roles': 'preparer admin', roles: ['admin'] };
    expect(claimAt(p, 'realm_access.roles')).toEqual(['Approver', 'viewer']);
    expect(claimAt(p, 'urn:roles')).toBe('preparer admin');
    expect(claimAt(p, 'realm_access.nothing')).toBeUndefined();
    await createAuth(devConfig, dir);
    const { privateJwk } = JSON.parse(fs.readFileSync(path.join(dir, 'dev-issuer-key.json'), 'utf8')) as { privateJwk: JWK };
    const key = await importJWK(privateJwk, 'ES256');
    const sign = (claims: Record<string, unknown>) =>
      new SignJWT({ preferred_username: 'kim', ...claims })
        .setProtectedHeader({ alg: 'ES256', kid: privateJwk.kid })
        .setIssuer(devConfig.issuer)
        .setAudience(devConfig.audience)
        .setSubject('kim')
        .setExpirationTime('1h')
        .sign(key);
    const token = await sign({ realm_access: { roles: ['Approver', 'viewer'] }, roles: ['admin'] });
    const nested = await createAuth({ ...devConfig, rolesClaim: 'realm_access.roles' }, dir);
    expect((await nested.verify(token)).roles).toEqual(['approver']);
    expect((await (await createAuth(devConfig, dir)).verify(token)).roles).toEqual(['admin']);
    const idToken = await sign({ roles: ['admin'], nonce: 'abc' });
    await expect(nested.verify(idToken)).rejects.toMatchObject({ statusCode: 401, code: 'token-not-access-token' });
  });

  test('development tokens live at most 12 hours, whoever asks', async () => {
    expect(devTokenTtl()).toBe(8 * 3600);
    expect(devTokenTtl('12h')).toBe(12 * 3600);
    expect(() => devTokenTtl('36500d')).toThrow(/at most 12 hours/);
    const auth = await createAuth(devConfig, dir);
    await expect(auth.devIssuer!.sign({ user: 'mallory', roles: ['admin'], ttl: '2d' })).rejects.toThrow(/at most 12 hours/);
  });

  test('signing keys are fetched over https only, plain http only on loopback', async () => {
    const jwks = (jwksUrl: string) => ({ mode: 'jwks' as const, issuer: 'https://idp', audience: 'a', rolesClaim: 'roles', jwksUrl });
    await expect(createAuth(jwks('http://idp.example.com/keys'), dir)).rejects.toThrow(/must use https/);
    await expect(createAuth(jwks('http://127.0.0.1:9/keys'), dir)).resolves.toBeDefined();
    await expect(createAuth(jwks('https://idp.example.com/keys'), dir)).resolves.toBeDefined();
  });
});
