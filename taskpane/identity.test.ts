import { identityKey } from '../src/approval';
import { sessionUser, tokenClaims } from './identity';

/** An unsigned JWT carrying these claims (the pane reads claims; verifying is the server's job). */
const jwt = (claims: Record<string, unknown>) => {
  const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${b64({ alg: 'RS256' })}.${b64(claims)}.sig`;
};
const ISS = 'https://login.example/realms/closedesk';

describe('sessionUser', () => {
  it('takes the roles the server granted (from its configured claim), not a `roles` claim in the token', () => {
    // The server reads roles from realm_access.roles (AUTH_ROLES_CLAIM); the token's own `roles` claim means something else there.
    const token = jwt({ iss: ISS, sub: 'u-1', name: 'Bob B.', preferred_username: 'bob', roles: ['preparer'], realm_access: { roles: ['approver'] } });
    expect(sessionUser({ token, role: 'approver', roles: ['approver'] })).toEqual({
      id: identityKey({ issuer: ISS, subject: 'u-1' }),
      name: 'Bob B.',
      names: ['bob'],
      roles: ['approver'],
    });
  });

  it('falls back to the token’s roles claim, then the session’s role, when the session holds no roles', () => {
    const token = jwt({ iss: ISS, sub: 'u-2', roles: ['preparer', 'approver'] });
    expect(sessionUser({ token, role: 'approver' })!.roles).toEqual(['preparer', 'approver']);
    expect(sessionUser({ token, role: 'approver', roles: [] })!.roles).toEqual(['preparer', 'approver']);
    expect(sessionUser({ token: jwt({ iss: ISS, sub: 'u-3' }), role: 'admin' })!.roles).toEqual(['admin']);
  });

  it('is nobody without a readable token naming a subject', () => {
    expect(sessionUser(null)).toBeNull();
    expect(sessionUser({ token: 'not-a-jwt', roles: ['admin'] })).toBeNull();
    expect(tokenClaims('a.%%%.c')).toBeNull();
    expect(sessionUser({ token: jwt({ name: 'no subject' }), roles: ['admin'] })).toBeNull();
  });
});
