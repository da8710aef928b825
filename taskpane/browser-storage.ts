/**
 * The browser's storage, or null where it is missing or reading it throws (storage blocked by
 * privacy settings, a sandboxed frame): callers then keep what they need in memory only.
 */
export function browserStorage(kind: 'session' | 'local'): Storage | null {
  try {
    return (kind === 'session' ? globalThis.sessionStorage : globalThis.localStorage) ?? null;
  } catch {
    return null;
  }
}
