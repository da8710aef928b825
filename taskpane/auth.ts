/**
 * Sign-in state of the task pane. Everything that calls the backend asks `getAccessToken()`.
 *
 * How the pane signs in is the server's answer to GET /api/auth/config:
 * - `dev`: the server's local development issuer (POST /api/dev/sign-in, this machine only);
 * - `msal`: the organisation's identity provider through MSAL (taskpane/msal.ts) — nested app
 *   auth inside Office with Microsoft Entra ID, a popup in a plain browser — with silent renewal:
 *   every call asks MSAL for the token, which renews it before it expires.
 */
import { browserStorage } from './browser-storage';

export const ROLES = ['preparer', 'approver', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface Session {
  /** The user's name to show (user name, else display name); who she is is the token's issuer + subject. */
  user: string;
  /** Display name when the identity provider gives one. */
  name?: string;
  /** The highest of the user's roles (admin, then approver, then preparer), for display and quick checks. */
  role: Role;
  roles: Role[];
  /** The token the session started with; calls use getAccessToken(), which renews it. */
  token: string;
  via: 'dev' | 'msal';
}

export type SignInSettings =
  | { mode: 'dev' }
  | { mode: 'unavailable'; message: string }
  | {
      mode: 'msal';
      provider: 'entra' | 'oidc';
      clientId: string;
      authority: string;
      knownAuthorities: string[];
      scopes: string[];
      redirectPath: string;
    };

/** The server's answer, checked: anything else is a server the pane does not understand. */
export function parseSignInSettings(body: unknown): SignInSettings {
  const b = (body ?? {}) as Record<string, unknown>;
  const strings = (v: unknown) => Array.isArray(v) && v.every((s) => typeof s === 'string');
  if (b.mode === 'dev') return { mode: 'dev' };
  if (b.mode === 'unavailable' && typeof b.message === 'string') return { mode: 'unavailable', message: b.message };
  if (
    b.mode === 'msal' &&
    (b.provider === 'entra' || b.provider === 'oidc') &&
    typeof b.clientId === 'string' &&
    typeof b.authority === 'string' &&
    /^https:\/\//.test(b.authority) &&
    strings(b.knownAuthorities) &&
    strings(b.scopes) &&
    typeof b.redirectPath === 'string' &&
    b.redirectPath.startsWith('/')
  ) {
    return {
      mode: 'msal',
      provider: b.provider,
      clientId: b.clientId,
      authority: b.authority,
      knownAuthorities: b.knownAuthorities as string[],
      scopes: b.scopes as string[],
      redirectPath: b.redirectPath,
    };
  }
  throw new Error('The server did not say how to sign in; check that the task pane and the server are the same version.');
}

/** Admin first, then approver, then preparer. */
export function primaryRole(roles: readonly Role[]): Role | null {
  return (['admin', 'approver', 'preparer'] as const).find((r) => roles.includes(r)) ?? null;
}

/** Gets tokens for the backend from the identity provider; set while a provider session is active. */
export interface TokenSource {
  /** A current access token (renewed silently when near expiry), or null when the user must sign in again. */
  token(): Promise<string | null>;
  signOut(): Promise<void>;
}

const STORAGE_KEY = 'closedesk.session';

type Listener = (s: Session | null) => void;
const listeners = new Set<Listener>();
let current: Session | null = readStored();
let source: TokenSource | null = null;

// (storage blocked by privacy settings: the session lives in memory only; a declaration, as the
// session is read from it while this module loads)
function storage(): Storage | null {
  return browserStorage('session');
}

function readStored(): Session | null {
  const raw = storage()?.getItem(STORAGE_KEY);
  if (!raw) return null;
  try {
    const s = JSON.parse(raw) as Partial<Session>;
    if (typeof s.user === 'string' && typeof s.token === 'string' && ROLES.includes(s.role as Role)) {
      return { ...(s as Session), roles: Array.isArray(s.roles) ? s.roles : [s.role as Role], via: 'dev' };
    }
  } catch {
    /* unreadable: treat as signed out */
  }
  return null;
}

export function getSession(): Session | null {
  return current;
}

/**
 * Starts or ends a session. A development session is kept in sessionStorage (the tab's reload
 * keeps it); a provider session is not — MSAL keeps its own cache and the pane restores from it.
 */
export function setSession(s: Session | null, tokens: TokenSource | null = null): void {
  const previous = source;
  current = s;
  source = s?.via === 'msal' ? tokens : null;
  const st = storage();
  if (st) {
    if (s?.via === 'dev') st.setItem(STORAGE_KEY, JSON.stringify(s));
    else st.removeItem(STORAGE_KEY);
  }
  if (!s && previous) void previous.signOut().catch(() => undefined);
  for (const l of listeners) l(s);
}

export function onSessionChange(l: Listener): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}

/** The bearer token for the backend, or null when nobody is signed in. */
export async function getAccessToken(): Promise<string | null> {
  if (!current) return null;
  if (current.via === 'msal') return source ? source.token() : null;
  return current.token;
}
