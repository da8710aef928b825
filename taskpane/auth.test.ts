import { getAccessToken, getSession, parseSignInSettings, primaryRole, setSession, type TokenSource } from './auth';

test("the server's sign-in settings are checked before MSAL is configured with them", () => {
  expect(parseSignInSettings({ mode: 'dev' })).toEqual({ mode: 'dev' });
  const msal = {
    mode: 'msal',
    provider: 'oidc',
    clientId: 'closedesk-pane',
    authority: 'https://idp.example.com/realms/finance',
    knownAuthorities: ['idp.example.com'],
    scopes: ['access_as_user'],
    redirectPath: '/auth-redirect.html',
  };
  expect(parseSignInSettings(msal)).toEqual(msal);
  for (const bad of [{ ...msal, authority: 'http://idp.example.com' }, { ...msal, provider: 'saml' }, { ...msal, scopes: 'access_as_user' }, { ...msal, redirectPath: 'https://evil.example.com/x' }, null, { mode: 'other' }]) {
    expect(() => parseSignInSettings(bad)).toThrow(/did not say how to sign in/);
  }
});

test('the highest role is shown; none when the token grants no CloseDesk role', () => {
  expect(primaryRole(['preparer', 'approver'])).toBe('approver');
  expect(primaryRole(['preparer', 'admin'])).toBe('admin');
  expect(primaryRole([])).toBeNull();
});

test('a provider session asks its token source on every call and signs out of it when it ends', async () => {
  let issued = 0;
  let signedOut = 0;
  const source: TokenSource = { token: async () => `renewed-${++issued}`, signOut: async () => void signedOut++ };
  setSession({ user: 'alice', role: 'preparer', roles: ['preparer'], token: 'first', via: 'msal' }, source);
  expect(await getAccessToken()).toBe('renewed-1');
  expect(await getAccessToken()).toBe('renewed-2');
  setSession(null);
  expect(getSession()).toBeNull();
  expect(await getAccessToken()).toBeNull();
  await Promise.resolve();
  expect(signedOut).toBe(1);

  setSession({ user: 'dev', role: 'admin', roles: ['admin'], token: 'dev-token', via: 'dev' });
  expect(await getAccessToken()).toBe('dev-token');
  setSession(null);
});
