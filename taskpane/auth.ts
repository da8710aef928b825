/**
 * Sign-in state of the task pane. Everything that calls the backend asks `getAccessToken()`.
 *
 * Today both the plain browser AND Office sign in with the server's local development issuer
 * (POST /api/dev/sign-in). MSAL nested app auth is not configured yet: when it is, only
 * `getAccessToken()` (and the sign-in button) change; callers stay as they are.
 */
export const ROLES = ['preparer', 'approver', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface Session {
  user: string;
  role: Role;
  token: string;
}

const STORAGE_KEY = 'closedesk.session';

type Listener = (s: Session | null) => void;
const listeners = new Set<Listener>();
let current: Session | null = readStored();

function storage(): Storage | null {
  try {
    return typeof sessionStorage === 'undefined' ? null : sessionStorage;
  } catch {
    return null; // storage blocked (privacy settings): the session lives in memory only
  }
}

function readStored(): Session | null {
  const raw = storage()?.getItem(STORAGE_KEY);
  if (!raw) return null;
  try {
    const s = JSON.parse(raw) as Partial<Session>;
    if (typeof s.user === 'string' && typeof s.token === 'string' && ROLES.includes(s.role as Role)) return s as Session;
  } catch {
    /* unreadable: treat as signed out */
  }
  return null;
}

export function getSession(): Session | null {
  return current;
}

export function setSession(s: Session | null): void {
  current = s;
  const st = storage();
  if (st) {
    if (s) st.setItem(STORAGE_KEY, JSON.stringify(s));
    else st.removeItem(STORAGE_KEY);
  }
  for (const l of listeners) l(s);
}

export function onSessionChange(l: Listener): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}

/** The bearer token for the backend, or null when nobody is signed in. */
export async function getAccessToken(): Promise<string | null> {
  return current?.token ?? null;
}
