/**
 * Access tokens from the refresh-token flow. Zoho mints at most 10 access tokens per refresh token
 * per 10 minutes, so the token is cached (in memory and, through `store`, across processes — a
 * restarted worker reuses it) and refreshed single-flight: concurrent callers share one refresh.
 */
import { realClock, type Clock } from './clock';
import { ZohoError } from './errors';
import { parseZohoJson } from './json';

export interface CachedToken {
  accessToken: string;
  /** epoch ms */
  expiresAt: number;
  apiDomain?: string;
}

export interface TokenStore {
  load(): Promise<CachedToken | undefined>;
  save(token: CachedToken): Promise<void>;
}

export interface Credentials {
  clientId: string;
  clientSecret: string;
  refreshToken: string;
}

export interface TokenManagerOptions {
  /** OAuth server base, e.g. https://accounts.zoho.eu */
  accounts: string;
  credentials: () => Promise<Credentials>;
  store?: TokenStore;
  clock?: Clock;
  /** Refresh this long before expiry (default 5 minutes: Zoho's tokens last 60). */
  marginMs?: number;
  /** Deadline of each call to the token endpoint (default 30 s): the request is aborted and its socket closed. */
  timeoutMs?: number;
  /** Label used in messages (the connection's name). */
  connectionName?: string;
}

export const RECONNECT_HINT = 'Open the Connections page and reconnect the organisation (a new grant code gives a new refresh token).';

export class TokenManager {
  private cached: CachedToken | undefined;
  private inflight: Promise<CachedToken> | null = null;
  /** How many times this process called the token endpoint (tests check single-flight with it). */
  refreshCount = 0;
  private readonly clock: Clock;
  private readonly margin: number;

  constructor(private readonly opts: TokenManagerOptions) {
    this.clock = opts.clock ?? realClock;
    this.margin = opts.marginMs ?? 5 * 60_000;
  }

  private fresh(t: CachedToken | undefined): t is CachedToken {
    return Boolean(t && t.expiresAt - this.margin > this.clock.now());
  }

  async token(): Promise<CachedToken> {
    if (this.fresh(this.cached)) return this.cached;
    if (!this.inflight) {
      this.inflight = this.obtain().finally(() => (this.inflight = null));
    }
    return this.inflight;
  }

  /** The token was refused (401): drop it unless another caller already replaced it. */
  async invalidate(accessToken: string): Promise<void> {
    if (this.cached?.accessToken === accessToken) this.cached = undefined;
    this.rejected.add(accessToken);
  }
  private readonly rejected = new Set<string>();

  private async obtain(): Promise<CachedToken> {
    const stored = await this.opts.store?.load().catch(() => undefined);
    if (this.fresh(stored) && !this.rejected.has(stored.accessToken)) return (this.cached = stored);
    const t = await this.refresh();
    this.cached = t;
    await this.opts.store?.save(t);
    return t;
  }

  private async refresh(): Promise<CachedToken> {
    const c = await this.opts.credentials();
    const name = this.opts.connectionName ? ` "${this.opts.connectionName}"` : '';
    for (let attempt = 0; ; attempt++) {
      this.refreshCount++;
      const params = new URLSearchParams({ grant_type: 'refresh_token', client_id: c.clientId, client_secret: c.clientSecret, refresh_token: c.refreshToken });
      let status = 0;
      let text = '';
      try {
        const res = await fetch(`${this.opts.accounts}/oauth/v2/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: params.toString(),
          signal: AbortSignal.timeout(this.opts.timeoutMs ?? 30_000),
        });
        status = res.status;
        text = await res.text();
      } catch (e) {
        if (attempt < 4) {
          await this.clock.sleep(1000 * 2 ** attempt);
          continue;
        }
        throw new ZohoError('uncertain', `Zoho's sign-in server (${this.opts.accounts}) did not answer: ${describeFetchFailure(e, this.opts.timeoutMs ?? 30_000)}.`, { body: '', timedOut: isTimeout(e) });
      }
      let body: Record<string, unknown> = {};
      try {
        body = parseZohoJson(text) as Record<string, unknown>;
      } catch {
        /* not JSON: handled below */
      }
      if (typeof body.access_token === 'string') {
        const expiresIn = Number(body.expires_in ?? 3600);
        return { accessToken: body.access_token, expiresAt: this.clock.now() + expiresIn * 1000, apiDomain: typeof body.api_domain === 'string' ? body.api_domain : undefined };
      }
      const error = String(body.error ?? `HTTP ${status}`);
      if (error === 'invalid_code' || error === 'invalid_token') {
        throw new ZohoError('reconnect', `Zoho no longer accepts the refresh token of connection${name}: it was revoked, expired or replaced (a user may hold at most 20). ${RECONNECT_HINT}`, { httpStatus: status, body: text, zohoMessage: error });
      }
      if (error === 'invalid_client') {
        throw new ZohoError('reconnect', `Zoho does not recognise the client id/secret of connection${name} on ${this.opts.accounts}: check the data centre and the client credentials. ${RECONNECT_HINT}`, { httpStatus: status, body: text, zohoMessage: error });
      }
      // "Access Denied — too many requests continuously": 10 tokens per 10 minutes used up. Wait it out.
      if (error === 'Access Denied' && attempt < 3) {
        await this.clock.sleep(60_000 * (attempt + 1));
        continue;
      }
      if (status >= 500 && attempt < 4) {
        await this.clock.sleep(1000 * 2 ** attempt);
        continue;
      }
      throw new ZohoError('rejected', `Zoho refused to issue an access token for connection${name}: ${error}${body.error_description ? ` (${String(body.error_description)})` : ''}.`, { httpStatus: status, body: text, zohoMessage: error });
    }
  }
}

/** Exchanges a one-time grant code for a refresh token (the Connections page). */
export async function exchangeGrantCode(accounts: string, p: { clientId: string; clientSecret: string; code: string; redirectUri?: string; timeoutMs?: number }): Promise<{ refreshToken: string; accessToken: string; expiresIn: number; apiDomain?: string }> {
  const params = new URLSearchParams({ grant_type: 'authorization_code', client_id: p.clientId, client_secret: p.clientSecret, code: p.code });
  if (p.redirectUri) params.set('redirect_uri', p.redirectUri);
  let text = '';
  let status = 0;
  try {
    const res = await fetch(`${accounts}/oauth/v2/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: params.toString(), signal: AbortSignal.timeout(p.timeoutMs ?? 30_000) });
    status = res.status;
    text = await res.text();
  } catch (e) {
    throw new ZohoError('uncertain', `Zoho's sign-in server (${accounts}) did not answer: ${describeFetchFailure(e, p.timeoutMs ?? 30_000)}.`, { body: '', timedOut: isTimeout(e) });
  }
  let body: Record<string, unknown> = {};
  try {
    body = parseZohoJson(text) as Record<string, unknown>;
  } catch {
    /* handled below */
  }
  if (typeof body.refresh_token === 'string' && typeof body.access_token === 'string') {
    return { refreshToken: body.refresh_token, accessToken: body.access_token, expiresIn: Number(body.expires_in ?? 3600), apiDomain: typeof body.api_domain === 'string' ? body.api_domain : undefined };
  }
  if (typeof body.access_token === 'string') {
    throw new ZohoError('rejected', 'Zoho issued no refresh token: generate the grant code with access_type=offline (and prompt=consent), then try again.', { httpStatus: status, body: text });
  }
  const error = String(body.error ?? `HTTP ${status}`);
  const hint =
    error === 'invalid_code'
      ? 'The grant code was already used or has expired (they last a few minutes): generate a new one.'
      : error === 'invalid_client'
        ? 'The client id/secret is not known on this data centre: check both and the data centre.'
        : `Zoho said: ${error}.`;
  throw new ZohoError('reconnect', `Connecting to Zoho failed. ${hint}`, { httpStatus: status, body: text, zohoMessage: error });
}

/** fetch's abort at the deadline (AbortSignal.timeout) — the request and its socket are gone. */
export function isTimeout(e: unknown): boolean {
  return (e as Error)?.name === 'TimeoutError';
}

/** A failed fetch in words: the deadline, or the network's reason (with its cause). */
export function describeFetchFailure(e: unknown, timeoutMs: number): string {
  if (isTimeout(e)) return `no answer within ${timeoutMs} ms; the connection was closed`;
  const cause = (e as { cause?: Error }).cause;
  return `${(e as Error).message}${cause ? `: ${cause.message}` : ''}`;
}
