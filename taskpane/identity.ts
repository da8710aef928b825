/**
 * The signed-in user as the rules in src/ see her: her identity (issuer + subject) and roles, read
 * from the claims of her own sign-in token with the same function the server uses. The pane only
 * uses it to offer the actions the rules allow; the server checks the token and the rules again on
 * every request.
 */
import { identityFromClaims, type User } from '../src/approval';

/** The claims of a JWT (not verified: that is the server's job), or null when it is not one. */
export function tokenClaims(token: string): Record<string, unknown> | null {
  const part = token.split('.')[1];
  if (!part) return null;
  try {
    const b64 = part.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(part.length / 4) * 4, '=');
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const claims: unknown = JSON.parse(new TextDecoder().decode(bytes));
    return claims && typeof claims === 'object' && !Array.isArray(claims) ? (claims as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/**
 * The user a session's token names, with the roles the server granted her (`roles` of the session,
 * from /api/me: the server reads them from its configured claim, AUTH_ROLES_CLAIM, which the pane
 * does not know); a session without them falls back to the token's `roles` claim, then its role.
 */
export function sessionUser(session: { token: string; role?: string; roles?: readonly string[] } | null): User | null {
  if (!session) return null;
  const claims = tokenClaims(session.token);
  if (!claims) return null;
  const who = identityFromClaims(claims);
  if (!who.ok) return null;
  const roles = session.roles?.length ? [...session.roles] : Array.isArray(claims.roles) ? claims.roles.map(String) : session.role ? [session.role] : [];
  return { id: who.key, name: who.name, names: who.username ? [who.username] : [], roles };
}
