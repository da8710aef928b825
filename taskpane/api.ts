/**
 * The task pane's client for the CloseDesk backend: bearer token on every call, the server's
 * `{error:{code,message}}` turned into an Error carrying the server's sentence, and an
 * AbortSignal so long loads can be cancelled.
 */
import type { Problem } from '../src/kernel/problems';
import type { Cell, Table } from '../src/kernel/table';
import { parseSignInSettings, ROLES, type Role, type SignInSettings } from './auth';

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export function isAbortError(e: unknown): boolean {
  return !!e && typeof e === 'object' && (e as { name?: string }).name === 'AbortError';
}

export interface ApiClientOptions {
  /** '' for the page's own origin. */
  baseUrl?: string;
  getToken?: () => Promise<string | null>;
  /** Called when the server rejects our token (expired or revoked). */
  onUnauthorized?: () => void;
  fetch?: typeof fetch;
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  body?: unknown;
  signal?: AbortSignal;
  query?: Record<string, string | number | undefined>;
  /** Use this bearer token instead of the signed-in session's (while signing in). */
  token?: string;
}

export interface DatasetSummary {
  id: string;
  name: string;
  /** Extra facts the server may give (source, kind, rows); shown when present. */
  [key: string]: unknown;
}

export interface DatasetPage {
  name: string;
  header: string[];
  rows: Cell[][];
  total: number;
  offset: number;
  nextOffset: number | null;
  /** Problems the server found reading the source (e.g. a line with too many fields). */
  problems?: Problem[];
}

/** Tables as a request body: cells that are Dates become ISO text, which the engine reads as dates. */
export function tablesAsJson(tables: readonly Table[]) {
  return tables.map((t) => ({
    name: t.name,
    header: t.header,
    firstRowNumber: t.firstRowNumber,
    rows: t.rows.map((r) => r.map((c) => (c instanceof Date ? c.toISOString() : c))),
  }));
}

/** A record from /api/runs or /api/audit; the Activity page shows what is there. */
export type ActivityRecord = Record<string, unknown>;

function pickList(body: unknown, keys: string[]): unknown[] {
  if (Array.isArray(body)) return body;
  if (body && typeof body === 'object') {
    for (const k of keys) {
      const v = (body as Record<string, unknown>)[k];
      if (Array.isArray(v)) return v;
    }
  }
  throw new ApiError('The server sent an answer the task pane does not understand.', 200, 'bad-response');
}

export class ApiClient {
  private readonly baseUrl: string;
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly options: ApiClientOptions = {}) {
    this.baseUrl = (options.baseUrl ?? '').replace(/\/$/, '');
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
  }

  async request<T>(path: string, opts: RequestOptions = {}): Promise<T> {
    let url = this.baseUrl + path;
    if (opts.query) {
      const q = Object.entries(opts.query)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
        .join('&');
      if (q) url += (url.includes('?') ? '&' : '?') + q;
    }
    const headers: Record<string, string> = { accept: 'application/json' };
    const token = opts.token ?? (this.options.getToken ? await this.options.getToken() : null);
    if (token) headers.authorization = `Bearer ${token}`;
    let body: string | undefined;
    if (opts.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(opts.body);
    }
    let res: Response;
    try {
      res = await this.fetchImpl(url, { method: opts.method ?? 'GET', headers, body, signal: opts.signal });
    } catch (e) {
      if (isAbortError(e)) throw e;
      throw new ApiError('The CloseDesk server could not be reached. Check that it is running, then try again.', 0, 'network');
    }
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    if (!res.ok) {
      const err = (parsed as { error?: { code?: string; message?: string } } | undefined)?.error;
      if (res.status === 401 && token) this.options.onUnauthorized?.();
      const message =
        err?.message ??
        (res.status === 401
          ? 'Please sign in again.'
          : `The server answered ${res.status}${res.statusText ? ` ${res.statusText}` : ''}.`);
      throw new ApiError(message, res.status, err?.code);
    }
    if (text && parsed === undefined) {
      throw new ApiError('The server sent an answer the task pane does not understand.', res.status, 'bad-response');
    }
    return parsed as T;
  }

  /** How this server wants the pane to sign in (no token needed). */
  async signInSettings(signal?: AbortSignal): Promise<SignInSettings> {
    return parseSignInSettings(await this.request('/api/auth/config', { signal }));
  }

  /** Who the server says the token belongs to (identity key, user name, display name), with the CloseDesk roles it grants. */
  async whoAmI(token: string, signal?: AbortSignal): Promise<{ id: string; username?: string; name?: string; roles: Role[] }> {
    const body = await this.request<{ user?: { id?: unknown; username?: unknown; name?: unknown; roles?: unknown } }>('/api/me', { token, signal });
    const u = body?.user;
    if (!u || typeof u.id !== 'string' || !Array.isArray(u.roles)) throw new ApiError('The server did not say who you are.', 200, 'bad-response');
    return {
      id: u.id,
      ...(typeof u.username === 'string' ? { username: u.username } : {}),
      ...(typeof u.name === 'string' ? { name: u.name } : {}),
      roles: u.roles.filter((r): r is Role => (ROLES as readonly unknown[]).includes(r)),
    };
  }

  async signInWithDevIssuer(user: string, role: Role, signal?: AbortSignal): Promise<string> {
    const body = await this.request<{ token?: unknown }>('/api/dev/sign-in', { method: 'POST', body: { user, role }, signal });
    if (typeof body?.token !== 'string') throw new ApiError('The server did not return a sign-in token.', 200, 'bad-response');
    return body.token;
  }

  async listDatasets(signal?: AbortSignal): Promise<DatasetSummary[]> {
    const list = pickList(await this.request('/api/datasets', { signal }), ['datasets', 'items']);
    return list.map((d) => {
      const o = d as Record<string, unknown>;
      const id = String(o.id ?? o.name ?? '');
      return { ...o, id, name: String(o.name ?? id) };
    });
  }

  getDatasetPage(id: string, offset: number, limit: number, signal?: AbortSignal): Promise<DatasetPage> {
    return this.request<DatasetPage>(`/api/datasets/${encodeURIComponent(id)}`, { query: { offset, limit }, signal });
  }

  async listRuns(signal?: AbortSignal): Promise<ActivityRecord[]> {
    return pickList(await this.request('/api/runs', { signal }), ['runs', 'items']) as ActivityRecord[];
  }

  async listAudit(signal?: AbortSignal): Promise<ActivityRecord[]> {
    return pickList(await this.request('/api/audit', { signal }), ['entries', 'audit', 'items']) as ActivityRecord[];
  }
}
