/**
 * Zoho Books v3 client for one organisation. Rules (DESIGN.md §5, ZOHO-NOTES.md):
 * - `organization_id` on every call; `Authorization: Zoho-oauthtoken …` from the single-flight TokenManager.
 * - `code != 0` is a failure whatever the HTTP status.
 * - 44 (per minute) and 1070 (concurrency): nothing was applied, so back off and retry here.
 * - 45 (daily): stop; every later call fails fast with the reset time until it passes.
 * - 401: the access token expired or was revoked: refresh once and retry (nothing was applied).
 * - 5xx, timeouts, dropped connections: a read is retried here; a write is NOT — it throws
 *   `uncertain` and the caller must look the document up before any retry.
 * - Every HTTP exchange has a hard deadline (`timeoutMs`): when it passes, the request is aborted
 *   and its socket closed, so no byte of it leaves afterwards. `onSend` learns each attempt's
 *   send time and deadline before the request leaves (the posting worker records them, so a
 *   look-up after a crash knows when the dead attempt could last have reached Zoho).
 * - The full response body travels with every error.
 */
import { realClock, type Clock } from './clock';
import { ZohoError } from './errors';
import { parseZohoJson } from './json';
import { LimiterBlocked, ZohoLimiter, type Limiter } from './limiter';
import type { TokenManager } from './token';

export interface ZohoClientOptions {
  /** Books API base, e.g. https://www.zohoapis.com/books/v3 (or the sandbox's). */
  apiBase: string;
  organizationId: string;
  tokens: TokenManager;
  limiter?: Limiter;
  clock?: Clock;
  /** Hard deadline of one HTTP exchange, from sending to the last byte of the answer (default 60 s). */
  timeoutMs?: number;
  /** Back-off attempts for 44/1070 before giving up with `rate-limited`. */
  maxRateRetries?: number;
  /** Attempts for reads failing with 5xx/timeouts. */
  maxReadRetries?: number;
  /** First back-off wait after a 44/1070 or a failed read, doubled each time (default 1000 ms). */
  backoffMs?: number;
  /** Called after each HTTP exchange (the benchmark counts calls and adds simulated latency). */
  onCall?: (info: { method: string; path: string; status: number; code?: number }) => Promise<void> | void;
}

export type Query = Record<string, string | number | boolean | undefined>;

/** One HTTP attempt as it leaves, in wall-clock epoch ms: when it is sent and when its socket is closed at the latest. */
export interface Attempt {
  method: string;
  path: string;
  sentAt: number;
  deadline: number;
  /** 1 for the first attempt of the request, 2… for retries after 44/1070/401 (nothing applied). */
  attempt: number;
}

export interface SendOptions {
  /** Awaited right before each attempt leaves; throwing stops the request before anything is sent. */
  onSend?: (attempt: Attempt) => void | Promise<void>;
}

export interface RequestOptions extends SendOptions {
  query?: Query;
  body?: unknown;
  withoutOrganization?: boolean;
}

export const DEFAULT_DEADLINE_MS = 60_000;
/**
 * How long Zoho may still apply a write after the client closed the socket at its deadline (a
 * request already inside Zoho runs on). A look-up that decides whether to send again waits this
 * much after the deadline; Zoho documents no bound, so the default is generous.
 */
export const DEFAULT_LATE_WRITE_MARGIN_MS = 120_000;

export interface ZohoResponse {
  code: number;
  message: string;
  [key: string]: unknown;
}

export interface PageContext {
  page: number;
  per_page: number;
  has_more_page: boolean;
}

export class ZohoClient {
  readonly organizationId: string;
  readonly limiter: Limiter;
  private readonly clock: Clock;
  /** Calls sent to Zoho by this client (every HTTP request, including retries). */
  calls = 0;

  constructor(private readonly opts: ZohoClientOptions) {
    this.organizationId = opts.organizationId;
    this.clock = opts.clock ?? realClock;
    this.limiter = opts.limiter ?? new ZohoLimiter({ clock: this.clock });
  }

  /** Hard deadline of each HTTP attempt, ms after it is sent. */
  get timeoutMs(): number {
    return this.opts.timeoutMs ?? DEFAULT_DEADLINE_MS;
  }

  async get<T extends ZohoResponse = ZohoResponse>(path: string, query: Query = {}): Promise<T> {
    return this.request<T>('GET', path, { query });
  }

  async post<T extends ZohoResponse = ZohoResponse>(path: string, body: unknown, query: Query = {}): Promise<T> {
    return this.request<T>('POST', path, { query, body });
  }

  async request<T extends ZohoResponse = ZohoResponse>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, o: RequestOptions = {}): Promise<T> {
    const isRead = method === 'GET';
    const maxRate = this.opts.maxRateRetries ?? 8;
    const maxRead = this.opts.maxReadRetries ?? 5;
    let tokenRetried = false;
    for (let rateTries = 0, readTries = 0, attempt = 1; ; attempt++) {
      if (this.limiter.blockedUntil > this.clock.now()) throw this.dailyLimitError(this.limiter.blockedUntil, method, path, '');
      let outcome: Awaited<ReturnType<ZohoClient['once']>>;
      try {
        outcome = await this.limiter.run(() => this.once(method, path, o, attempt));
      } catch (e) {
        // Another process met the daily limit: nothing was sent.
        if (e instanceof LimiterBlocked) throw this.dailyLimitError(e.until, method, path, '');
        throw e;
      }
      if (outcome.ok) return outcome.body as T;
      const e = outcome.error;
      if (e.kind === 'rate-limited' && rateTries < maxRate) {
        // Exponential back-off with jitter, capped at a minute (the window Zoho counts in).
        const wait = Math.min(60_000, (this.opts.backoffMs ?? 1000) * 2 ** rateTries) * (0.5 + Math.random() / 2);
        rateTries++;
        await this.clock.sleep(wait);
        continue;
      }
      if (e.details.httpStatus === 401 && !tokenRetried) {
        tokenRetried = true;
        await this.opts.tokens.invalidate(outcome.accessToken ?? '');
        continue;
      }
      if (e.kind === 'uncertain' && isRead && readTries < maxRead) {
        readTries++;
        await this.clock.sleep(Math.min(30_000, ((this.opts.backoffMs ?? 1000) / 2) * 2 ** readTries));
        continue;
      }
      if (e.kind === 'daily-limit' && e.details.resetAt) this.limiter.blockedUntil = e.details.resetAt;
      throw e;
    }
  }

  private dailyLimitError(resetAt: number, method: string, path: string, body: string, status = 429): ZohoError {
    return new ZohoError(
      'daily-limit',
      `Zoho's daily API limit for organisation ${this.organizationId} is used up; calls are accepted again at ${new Date(resetAt).toISOString()}. Posting pauses until then (Zoho support can raise the cap for a backfill).`,
      { code: 45, httpStatus: status, body, method, path, resetAt, zohoMessage: 'Daily API limit exceeded' },
    );
  }

  private async once(method: string, path: string, o: RequestOptions, attempt: number): Promise<{ ok: true; body: ZohoResponse } | { ok: false; error: ZohoError; accessToken?: string }> {
    const { accessToken } = await this.opts.tokens.token();
    const url = new URL(this.opts.apiBase + path);
    if (!o.withoutOrganization) url.searchParams.set('organization_id', this.organizationId);
    for (const [k, v] of Object.entries(o.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    const where = { method, path };
    let status = 0;
    let text = '';
    let resetHeader: string | null = null;
    // The deadline is wall-clock time (the abort timer is real even when the clock is simulated).
    const sentAt = Date.now();
    const deadline = sentAt + this.timeoutMs;
    await o.onSend?.({ method, path, sentAt, deadline, attempt });
    // The hook may have waited (a store write): the socket still closes at the announced deadline.
    const signal = AbortSignal.timeout(Math.max(1, deadline - Date.now()));
    this.calls++;
    try {
      const res = await fetch(url, {
        method,
        headers: { Authorization: `Zoho-oauthtoken ${accessToken}`, ...(o.body === undefined ? {} : { 'Content-Type': 'application/json' }), Accept: 'application/json' },
        body: o.body === undefined ? undefined : JSON.stringify(o.body),
        signal,
      });
      status = res.status;
      resetHeader = res.headers.get('x-rate-limit-reset');
      text = await res.text();
    } catch (e) {
      await this.opts.onCall?.({ method, path, status: 0 });
      const timeout = (e as Error).name === 'TimeoutError';
      return {
        ok: false,
        error: new ZohoError('uncertain', `Zoho did not answer ${method} ${path} (${timeout ? 'timed out' : (e as Error).message}${(e as { cause?: Error }).cause ? `: ${(e as { cause: Error }).cause.message}` : ''}); whether it was applied is unknown.`, { ...where, body: '' }),
      };
    }
    let body: ZohoResponse | undefined;
    try {
      const parsed = parseZohoJson(text);
      if (parsed && typeof parsed === 'object' && typeof (parsed as ZohoResponse).code === 'number') body = parsed as ZohoResponse;
    } catch {
      /* not JSON (a proxy's error page): judged by status below */
    }
    await this.opts.onCall?.({ method, path, status, code: body?.code });
    const details = { ...where, httpStatus: status, body: text, code: body?.code, zohoMessage: body?.message };
    if (body && body.code === 0 && status < 400) return { ok: true, body };
    if (body?.code === 44 || body?.code === 1070) {
      return { ok: false, error: new ZohoError('rate-limited', `Zoho refused ${method} ${path} for the rate (code ${body.code}: ${body.message}).`, details) };
    }
    if (body?.code === 45) {
      const seconds = Number(resetHeader);
      const resetAt = Number.isFinite(seconds) && seconds > 0 ? this.clock.now() + seconds * 1000 : nextUtcMidnight(this.clock.now());
      return { ok: false, error: this.dailyLimitError(resetAt, method, path, text, status) };
    }
    if (status === 401) {
      return { ok: false, accessToken, error: new ZohoError('rejected', `Zoho refused the access token (${body ? `code ${body.code}: ${body.message}` : `HTTP ${status}`}).`, details) };
    }
    if (status >= 500 || status === 0 || !body) {
      return { ok: false, error: new ZohoError('uncertain', `Zoho failed on ${method} ${path} (HTTP ${status}${body ? `, code ${body.code}: ${body.message}` : ''}); whether it was applied is unknown.`, details) };
    }
    return { ok: false, error: new ZohoError('rejected', `Zoho refused ${method} ${path}: code ${body.code}: ${body.message}`, details) };
  }

  /** Every page of a list (page, per_page ≤ 200, page_context.has_more_page). */
  async listAll<T>(path: string, key: string, query: Query = {}): Promise<T[]> {
    const out: T[] = [];
    for (let page = 1; ; page++) {
      const r = await this.get(path, { ...query, page, per_page: 200 });
      out.push(...((r[key] as T[] | undefined) ?? []));
      const ctx = r.page_context as PageContext | undefined;
      if (!ctx?.has_more_page) return out;
    }
  }

  listOrganizations(): Promise<ZohoResponse> {
    return this.request('GET', '/organizations', { withoutOrganization: true });
  }
}

function nextUtcMidnight(now: number): number {
  return (Math.floor(now / 86_400_000) + 1) * 86_400_000;
}
