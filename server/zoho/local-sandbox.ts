/**
 * Where the local Zoho sandbox listens when this process started one (`npm start`), so the
 * Connections page can offer it. Only this exact address is accepted as a host override from the
 * API: an arbitrary URL there would let a caller point stored credentials at any server.
 * Kept on globalThis: start-all loads the sandbox with import() and the routes with require(),
 * which can give two copies of this module.
 */
const KEY = Symbol.for('closedesk.zoho.local-sandbox-url');
type Holder = Record<symbol, string | null | undefined>;

export function setLocalSandboxUrl(u: string | null): void {
  (globalThis as unknown as Holder)[KEY] = u;
}

export function localSandboxUrl(): string | null {
  return (globalThis as unknown as Holder)[KEY] ?? process.env.ZOHO_SANDBOX_URL ?? null;
}
