/**
 * Bearer-token authentication: JWTs verified with jose against the configured issuer, audience
 * and JWKS (the identity provider's, fetched over https — http only on loopback — or the local
 * development issuer's key in the data dir), with exp required and nbf honoured. Only asymmetric
 * signatures are accepted, so `alg: none` and HS256 signed with the public key are refused.
 * Roles come from the configured claim (AUTH_ROLES_CLAIM, default `roles`): preparer, approver, admin.
 * Who someone is comes from the issuer and subject (`oid` for Entra ID), never from a name
 * (src/approval/identity.ts).
 */
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  errors as joseErrors,
  exportJWK,
  generateKeyPair,
  importJWK,
  jwtVerify,
  SignJWT,
  type JWK,
  type JWTPayload,
  type KeyLike,
} from 'jose';
import { AppError } from '../errors';
import { DEV_TOKEN_MAX_TTL_SECONDS, DEV_TOKEN_TTL_SECONDS, secureOrLoopbackUrl, type AuthConfig } from '../config';
import { devSubject, identityFromClaims, type User } from '../../src/approval';

export const ROLES = ['preparer', 'approver', 'admin'] as const;

/** The page the identity provider sends the task pane's sign-in back to (built from taskpane/auth-redirect.ts). */
export const AUTH_REDIRECT_PATH = '/auth-redirect.html';
export type Role = (typeof ROLES)[number];

export interface Principal {
  /** Identity key (issuer + subject): what audit entries, preparers and approvers record, and what maker-checker compares. */
  id: string;
  issuer: string;
  /** `oid` for Entra ID, else `sub`. */
  subject: string;
  /** For display only (the `name` claim, else the user name, else the subject). */
  name: string;
  /** preferred_username, email or upn when the token has one. */
  username?: string;
  /** The `email` claim when the token has one (display only, like the name). */
  email?: string;
  roles: Role[];
}

export interface DevIssuer {
  /** Signs a token for the local development issuer; ttl like '8h', '30m' or seconds, at most 12 hours. */
  sign(input: { user: string; roles: Role[]; ttl?: string | number; name?: string }): Promise<string>;
  jwks: { keys: JWK[] };
}

export interface Auth {
  config: AuthConfig;
  /** Throws AppError 401 with a sentence when the token is not acceptable. */
  verify(token: string): Promise<Principal>;
  /** Present only when the local development issuer is in use. */
  devIssuer?: DevIssuer;
}

const ALGORITHMS = ['ES256', 'ES384', 'RS256', 'RS384', 'RS512', 'PS256'];

export const unauthorized = (code: string, message: string) => new AppError(401, code, message);

export function isRole(v: unknown): v is Role {
  return typeof v === 'string' && (ROLES as readonly string[]).includes(v);
}

export function parseTtl(ttl: string | number): number {
  if (typeof ttl === 'number') return ttl;
  const m = /^(\d+)\s*([smhd]?)$/.exec(ttl.trim());
  if (!m) throw new Error(`"${ttl}" is not a duration; use e.g. 30m, 8h or 7d.`);
  const mult = { '': 1, s: 1, m: 60, h: 3600, d: 86400 }[m[2] as '' | 's' | 'm' | 'h' | 'd'];
  return Number(m[1]) * mult;
}

/** The claim at a dotted path (`roles`, `realm_access.roles`); a claim whose own name has dots wins. */
export function claimAt(payload: Record<string, unknown>, claim: string): unknown {
  if (claim in payload) return payload[claim];
  let v: unknown = payload;
  for (const part of claim.split('.')) {
    if (!v || typeof v !== 'object' || Array.isArray(v)) return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}

function principalFrom(payload: JWTPayload, rolesClaim: string): Principal {
  const p = payload as JWTPayload & Record<string, unknown>;
  // An ID token (it carries the sign-in nonce) proves who signed in to the pane, not that the pane may call this API.
  if (p.nonce !== undefined) throw unauthorized('token-not-access-token', 'This is a sign-in (ID) token, not an access token for CloseDesk; sign in again.');
  const who = identityFromClaims(p);
  if (!who.ok) throw unauthorized('token-no-user', who.reason);
  const claim = claimAt(p, rolesClaim);
  const raw = Array.isArray(claim) ? claim : typeof claim === 'string' ? claim.split(/[\s,]+/) : [];
  const roles = [...new Set(raw.map((r) => String(r).toLowerCase()).filter(isRole))];
  const email = typeof p.email === 'string' && p.email.trim() ? p.email.trim() : undefined;
  return { id: who.key, issuer: who.identity.issuer, subject: who.identity.subject, name: who.name, ...(who.username ? { username: who.username } : {}), ...(email ? { email } : {}), roles };
}

/** The signed-in user as the approval rule and the lifecycles see her (her user name also matches records kept by name only). */
export function approvalUser(p: Principal): User {
  return { id: p.id, name: p.name, names: p.username ? [p.username] : [], roles: p.roles };
}

function explain(err: unknown, config: AuthConfig): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof joseErrors.JWTExpired) return unauthorized('token-expired', 'Your sign-in has expired; sign in again.');
  if (err instanceof joseErrors.JWTClaimValidationFailed) {
    if (err.claim === 'iss') {
      return unauthorized('token-wrong-issuer', 'The sign-in token comes from an identity provider this server does not trust; sign in to CloseDesk again.');
    }
    if (err.claim === 'aud') {
      return unauthorized('token-wrong-audience', 'The sign-in token was issued for another application, not CloseDesk; sign in to CloseDesk again.');
    }
    if (err.claim === 'nbf') return unauthorized('token-not-yet-valid', 'The sign-in token is not valid yet; check the computer clock and sign in again.');
    return unauthorized('token-invalid', `The sign-in token was refused (${err.claim} claim); sign in again.`);
  }
  if (err instanceof joseErrors.JWSSignatureVerificationFailed || err instanceof joseErrors.JWKSNoMatchingKey) {
    return unauthorized('token-bad-signature', 'The sign-in token signature could not be verified; sign in again.');
  }
  if (err instanceof joseErrors.JOSEAlgNotAllowed) {
    return unauthorized('token-bad-signature', 'The sign-in token uses a signing method this server does not accept; sign in again.');
  }
  if (err instanceof joseErrors.JWKSTimeout || (err instanceof Error && /fetch|ECONN|JWKS/i.test(err.message) && config.mode === 'jwks')) {
    return new AppError(503, 'identity-provider-unreachable', 'The server cannot reach the identity provider to check your sign-in; try again in a minute.');
  }
  return unauthorized('token-malformed', 'The sign-in token is malformed; sign in again.');
}

interface DevKeyFile {
  privateJwk: JWK;
}

/** The development issuer's ES256 key pair, created once in the data dir. */
async function loadDevKey(dataDir: string): Promise<{ privateKey: KeyLike; publicJwk: JWK }> {
  const file = path.join(dataDir, 'dev-issuer-key.json');
  let privateJwk: JWK;
  if (fs.existsSync(file)) {
    privateJwk = (JSON.parse(fs.readFileSync(file, 'utf8')) as DevKeyFile).privateJwk;
  } else {
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    privateJwk = { ...(await exportJWK(privateKey)), alg: 'ES256', kid: `dev-${Date.now().toString(36)}`, use: 'sig' };
    fs.mkdirSync(dataDir, { recursive: true });
    // wx: two processes starting at once must not overwrite each other's key
    try {
      fs.writeFileSync(file, JSON.stringify({ privateJwk } satisfies DevKeyFile, null, 2), { mode: 0o600, flag: 'wx' });
    } catch {
      privateJwk = (JSON.parse(fs.readFileSync(file, 'utf8')) as DevKeyFile).privateJwk;
    }
  }
  const { d: _d, ...publicJwk } = privateJwk;
  void _d;
  return { privateKey: (await importJWK(privateJwk, 'ES256')) as KeyLike, publicJwk };
}

/** A ttl for the development issuer in seconds, refused above the cap so no client picks its own lifetime. */
export function devTokenTtl(ttl: string | number = DEV_TOKEN_TTL_SECONDS): number {
  const seconds = parseTtl(ttl);
  if (seconds > DEV_TOKEN_MAX_TTL_SECONDS) {
    throw new Error(`Development tokens live at most ${DEV_TOKEN_MAX_TTL_SECONDS / 3600} hours; "${ttl}" is longer.`);
  }
  return seconds;
}

export async function createAuth(config: AuthConfig, dataDir: string): Promise<Auth> {
  let keys: ReturnType<typeof createLocalJWKSet> | ReturnType<typeof createRemoteJWKSet>;
  let devIssuer: DevIssuer | undefined;
  if (config.mode === 'jwks') {
    // Checked in config too; repeated here so no caller can hand in a plain-http key URL to another machine.
    if (!secureOrLoopbackUrl(config.jwksUrl!)) throw new Error(`The signing keys URL ${config.jwksUrl} must use https (plain http only on a loopback address).`);
    const agent = config.caFile ? new https.Agent({ ca: fs.readFileSync(config.caFile, 'utf8'), keepAlive: true }) : undefined;
    keys = createRemoteJWKSet(new URL(config.jwksUrl!), { cooldownDuration: 30_000, timeoutDuration: 5_000, ...(agent ? { agent } : {}) });
  } else {
    const { privateKey, publicJwk } = await loadDevKey(dataDir);
    const jwks = { keys: [publicJwk] };
    keys = createLocalJWKSet(jwks);
    devIssuer = {
      jwks,
      async sign({ user, roles, ttl, name }) {
        const bad = roles.filter((r) => !isRole(r));
        if (!user.trim()) throw new Error('A user name is needed to sign a token.');
        if (bad.length || roles.length === 0) throw new Error(`Roles must be among ${ROLES.join(', ')}; got ${roles.join(', ') || 'none'}.`);
        const seconds = devTokenTtl(ttl);
        // One person per name whatever its case: the subject is the lower-cased name; the name is for display.
        return new SignJWT({ roles, preferred_username: user, name: name ?? user })
          .setProtectedHeader({ alg: 'ES256', kid: publicJwk.kid, typ: 'JWT' })
          .setIssuer(config.issuer)
          .setAudience(config.audience)
          .setSubject(devSubject(user))
          .setIssuedAt()
          .setExpirationTime(Math.floor(Date.now() / 1000) + seconds)
          .sign(privateKey);
      },
    };
  }
  return {
    config,
    devIssuer,
    async verify(token) {
      if (!token) throw unauthorized('no-token', 'Sign in first: this request carries no sign-in token.');
      try {
        const { payload } = await jwtVerify(token, keys, {
          issuer: config.issuer,
          audience: config.audience,
          algorithms: ALGORITHMS,
          clockTolerance: 30,
          requiredClaims: ['exp'],
        });
        return principalFrom(payload, config.rolesClaim);
      } catch (err) {
        throw explain(err, config);
      }
    },
  };
}

/** Reads `Authorization: Bearer <token>`; undefined when absent. */
export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!m) throw unauthorized('token-malformed', 'The Authorization header must read "Bearer <token>"; sign in again.');
  return m[1];
}

/**
 * True when the user holds one of the roles; admin holds every role (administration). Approving is
 * not a role check: the approval rule (src/approval/rule.ts) decides it, for admins too.
 */
export function hasRole(user: Pick<Principal, 'roles'> & Partial<Principal>, roles: readonly Role[]): boolean {
  return user.roles.includes('admin') || roles.some((r) => user.roles.includes(r));
}
