/**
 * Where the local Zoho sandbox listens when this process started one (`npm start`), so the
 * Connections page can offer it. Only this exact address is accepted as a host override from the
 * API: an arbitrary URL there would let a caller point stored credentials at any server.
 */
let url: string | null = null;

export function setLocalSandboxUrl(u: string | null): void {
  url = u;
}

export function localSandboxUrl(): string | null {
  return url ?? process.env.ZOHO_SANDBOX_URL ?? null;
}
