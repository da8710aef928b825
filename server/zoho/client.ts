/**
 * Zoho Books v3 client for one organisation. Rules:
 * - Paths, query parameters and bodies are typed by the request contract (contract.ts): a call
 *   outside it does not compile.
 * - `organization_id` on every call that takes it; `Authorization: Zoho-oauthtoken …` from the
 *   single-flight TokenManager.
 * - `code != 0` is a failure whatever the HTTP status.
 * - 44 (per minute) and 1070 (concurrency): nothing was applied, so back off and retry here.
 * - 45 (daily): stop; every later call fails fast with the reset time until it passes.
 * - 401: the access token expired or was revoked: refresh once and retry (nothing was applied).
 * - 5xx, timeouts, dropped connections: a read is retried here; a write is NOT — it throws
 *   `uncertain` and the caller must look the document up before any retry.
 * - Every HTTP attempt has a hard deadline (sent-at + timeout): at the deadline the request is
 *   aborted and its socket closed, so nothing we sent can still be travelling to Zoho after it.
 *   The caller learns each attempt's deadline before it leaves (`onSend`) and finds it on the
 *   error, so a look-up after an unknown outcome can wait until the dead attempt can no longer land.
 * - The full response body travels with every error.
 */
import { realClock, type Clock } from './clock';
import { operation, operationFor, type BodyOf, type ListPath, type Method, type OperationAt, type PathsFor, type QueryOf } from './contract';
import { ZohoError } from './errors';
import { parseZohoJson } from './json';
import { LimiterBlocked, ZohoLimiter, type Limiter } from './limiter';
import { describeFetchFailure, isTimeout, type TokenManager } from './token';

export interface ZohoClientOptions {
  /** Books API base, e.g. https://www.zohoapis.com/books/v3 (or the sandbox's). */
  apiBase: string;
  organizationId: string;
  tokens: TokenManager;
  /** The organisation's limits: in the store for the backend (shared by its processes), in memory on a simulated clock. */
  limiter?: Limiter;
  clock?: Clock;
  /** Deadline of each HTTP attempt, from the moment it is sent (default 60 s). */
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

/** One HTTP attempt as it leaves: wall-clock epoch ms (the deadline is a socket's, not the benchmark's simulated time). */
export interface Attempt {
  method: string;
  path: string;
  sentAt: number;
  /**
   * sentAt + timeout: the moment the request is aborted and its socket closed. The abort is a timer
   * on this process's event loop (a busy process fires it a little late) and bytes already handed
   * to the network may still be in transit, so whoever waits for the attempt to be dead adds a margin.
   */
  deadline: number;
}

export interface SendOptions {
  /**
   * Awaited before every HTTP attempt leaves (retries included), so a caller can store the attempt's
   * deadline first: after a crash mid-call, that stored deadline says when the attempt can no longer land.
   */
  onSend?: (attempt: Attempt) => void | Promise<void>;
}

type RequestOptions = { query?: Query; body?: unknown } & SendOptions;

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

  /** Deadline of each HTTP attempt, ms after it is sent. */
  get timeoutMs(): number {
    return this.opts.timeoutMs ?? DEFAULT_DEADLINE_MS;
  }

  async get<T extends ZohoResponse = ZohoResponse, P extends PathsFor<'GET'> = PathsFor<'GET'>>(path: P, query?: QueryOf<OperationAt<'GET', P>>, o: SendOptions = {}): Promise<T> {
    return this.send<T>('GET', path, { ...o, query });
  }

  async post<T extends ZohoResponse = ZohoResponse, P extends PathsFor<'POST'> = PathsFor<'POST'>>(
    path: P,
    body: BodyOf<OperationAt<'POST', P>>,
    query?: QueryOf<OperationAt<'POST', P>>,
    o: SendOptions = {},
  ): Promise<T> {
    return this.send<T>('POST', path, { ...o, query, body });
  }

  async delete<T extends ZohoResponse = ZohoResponse, P extends PathsFor<'DELETE'> = PathsFor<'DELETE'>>(path: P, o: SendOptions = {}): Promise<T> {
    return this.send<T>('DELETE', path, o);
  }

  private async send<T extends ZohoResponse>(method: Method, path: string, o: RequestOptions): Promise<T> {
    const name = operationFor(method, path);
    // Unreachable through the typed methods; a path built at run time that escapes them stops here, unsent.
    if (!name) throw new Error(`${method} ${path} is not part of the Zoho request contract (server/zoho/contract.ts).`);
    const withOrganization = operation(name).organization;
    const isRead = method === 'GET';
    const maxRate = this.opts.maxRateRetries ?? 8;
    const maxRead = this.opts.maxReadRetries ?? 5;
    let tokenRetried = false;
    for (let rateTries = 0, readTries = 0; ; ) {
      if (this.limiter.blockedUntil > this.clock.now()) throw this.dailyLimitError(this.limiter.blockedUntil, method, path, '');
      let outcome: Awaited<ReturnType<ZohoClient['once']>>;
      try {
        outcome = await this.limiter.run(() => this.once(method, path, o, withOrganization));
      } catch (e) {
        // Another process met the daily limit (the block is in the store): nothing was sent.
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

  private async once(method: string, path: string, o: RequestOptions, withOrganization: boolean): Promise<{ ok: true; body: ZohoResponse } | { ok: false; error: ZohoError; accessToken?: string }> {
    const { accessToken } = await this.opts.tokens.token();
    const url = new URL(this.opts.apiBase + path);
    if (withOrganization) url.searchParams.set('organization_id', this.organizationId);
    for (const [k, v] of Object.entries(o.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    const sentAt = Date.now();
    const attempt: Attempt = { method, path, sentAt, deadline: sentAt + this.timeoutMs };
    await o.onSend?.(attempt);
    const where = { method, path, sentAt: attempt.sentAt, deadline: attempt.deadline };
    // The deadline was announced before onSend ran; a request leaving after it would break the promise.
    const remaining = attempt.deadline - Date.now();
    if (remaining <= 0) {
      return { ok: false, error: new ZohoError('uncertain', `${method} ${path} was not sent: its deadline passed while it was being recorded.`, { ...where, body: '', timedOut: true }) };
    }
    let status = 0;
    let text = '';
    let resetHeader: string | null = null;
    this.calls++;
    try {
      // The signal covers the whole exchange, body included; when it fires fetch destroys the
      // socket, so the attempt is over on our side at its deadline whatever the server does.
      const res = await fetch(url, {
        method,
        headers: { Authorization: `Zoho-oauthtoken ${accessToken}`, ...(o.body === undefined ? {} : { 'Content-Type': 'application/json' }), Accept: 'application/json' },
        body: o.body === undefined ? undefined : JSON.stringify(o.body),
        signal: AbortSignal.timeout(remaining),
      });
      status = res.status;
      resetHeader = res.headers.get('x-rate-limit-reset');
      text = await res.text();
    } catch (e) {
      await this.opts.onCall?.({ method, path, status: 0 });
      return {
        ok: false,
        error: new ZohoError('uncertain', `Zoho did not answer ${method} ${path} (${describeFetchFailure(e, this.timeoutMs)}); whether it was applied is unknown.`, { ...where, body: '', timedOut: isTimeout(e) }),
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
  async listAll<T, P extends ListPath = ListPath>(path: P, key: string, query?: Omit<QueryOf<OperationAt<'GET', P>>, 'page' | 'per_page'>): Promise<T[]> {
    const out: T[] = [];
    for (let page = 1; ; page++) {
      const r = await this.send('GET', path, { query: { ...query, page, per_page: 200 } });
      out.push(...((r[key] as T[] | undefined) ?? []));
      const ctx = r.page_context as PageContext | undefined;
      if (!ctx?.has_more_page) return out;
    }
  }

  listOrganizations(): Promise<ZohoResponse> {
    return this.get('/organizations');
  }
}

function nextUtcMidnight(now: number): number {
  return (Math.floor(now / 86_400_000) + 1) * 86_400_000;
}
