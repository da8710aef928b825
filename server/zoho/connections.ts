/**
 * Zoho connections: one organisation on one data centre with its client credentials. The client
 * secret and refresh token are stored encrypted (server/secrets.ts) under zoho/<id>/…, and the
 * current access token too, so every process of the backend shares one token instead of each
 * refreshing its own (the old system hit Zoho's 10-tokens-per-10-minutes limit that way).
 */
import { AppError, badRequest, conflict, notFound } from '../errors';
import type { Secrets } from '../secrets';
import type { Queryable, Store } from '../store';
import { newId, nowIso } from '../store/ids';
import { DEFAULT_DEADLINE_MS, DEFAULT_LATE_WRITE_MARGIN_MS, ZohoClient } from './client';
import type { Clock } from './clock';
import { DATA_CENTRES, endpointsFor, isDataCentre, type DataCentre } from './datacentres';
import { ZohoError } from './errors';
import { sharedLimiterFor, ZohoLimiter } from './limiter';
import { exchangeGrantCode, TokenManager, type CachedToken } from './token';

export interface ZohoConnection {
  id: string;
  name: string;
  dataCentre: DataCentre;
  organizationId: string;
  organizationName: string;
  clientId: string;
  /** Set only when the hosts differ from the data centre's (the sandbox). */
  accountsUrl: string | null;
  apiUrl: string | null;
  perMinute: number;
  concurrency: number;
  /** Hard deadline of one Zoho exchange (the client closes the socket then). */
  timeoutMs: number;
  /** How long Zoho may still apply a write after its deadline: a look-up before a retry waits this much longer. */
  lateWriteMarginMs: number;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  lastTestAt: string | null;
  lastTestResult: string | null;
}

export interface ConnectionDeps {
  store: Store;
  secrets: Secrets;
}

interface Row {
  id: string;
  name: string;
  data_centre: string;
  organization_id: string;
  organization_name: string;
  client_id: string;
  accounts_url: string | null;
  api_url: string | null;
  per_minute: number;
  concurrency: number;
  timeout_ms: number;
  late_write_margin_ms: number;
  created_by: string;
  created_at: string;
  updated_at: string;
  last_test_at: string | null;
  last_test_result: string | null;
}

function toConnection(r: Row): ZohoConnection {
  return {
    id: r.id,
    name: r.name,
    dataCentre: r.data_centre as DataCentre,
    organizationId: r.organization_id,
    organizationName: r.organization_name,
    clientId: r.client_id,
    accountsUrl: r.accounts_url,
    apiUrl: r.api_url,
    perMinute: Number(r.per_minute),
    concurrency: Number(r.concurrency),
    timeoutMs: Number(r.timeout_ms),
    lateWriteMarginMs: Number(r.late_write_margin_ms),
    createdBy: r.created_by,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    lastTestAt: r.last_test_at,
    lastTestResult: r.last_test_result,
  };
}

const secretName = (id: string, what: 'client-secret' | 'refresh-token' | 'access-token') => `zoho/${id}/${what}`;

export async function listConnections(db: Store | Queryable): Promise<ZohoConnection[]> {
  return (await db.query<Row>('SELECT * FROM zoho_connections ORDER BY name')).map(toConnection);
}

export async function getConnection(db: Store | Queryable, id: string): Promise<ZohoConnection> {
  const r = await db.one<Row>('SELECT * FROM zoho_connections WHERE id = $1', [id]);
  if (!r) throw notFound('connection-not-found', `There is no Zoho connection ${id}; an admin adds it under Settings → Zoho connections.`);
  return toConnection(r);
}

export interface NewConnection {
  name: string;
  dataCentre: string;
  clientId: string;
  clientSecret: string;
  grantCode: string;
  /** Which organisation when the user has several (else the only one). */
  organizationId?: string;
  accountsUrl?: string;
  apiUrl?: string;
  perMinute?: number;
  concurrency?: number;
  timeoutMs?: number;
  lateWriteMarginMs?: number;
  createdBy: string;
}

/**
 * Exchanges the grant code for a refresh token, finds the organisation and stores the connection
 * with its secrets encrypted. Nothing is stored when any step fails.
 */
export async function createConnection(deps: ConnectionDeps, input: NewConnection): Promise<ZohoConnection> {
  if (!isDataCentre(input.dataCentre)) throw badRequest('bad-data-centre', `"${input.dataCentre}" is not a Zoho data centre (com, eu, in, com.au, jp, ca, com.cn, sa).`);
  if (!input.name.trim()) throw badRequest('name-required', 'Give the connection a name (for example "US books").');
  const taken = await deps.store.one('SELECT id FROM zoho_connections WHERE name = $1', [input.name.trim()]);
  if (taken) throw conflict('connection-exists', `A connection named "${input.name.trim()}" exists already; pick another name or remove it first.`);
  const ends = endpointsFor(input.dataCentre, { accounts: input.accountsUrl, api: input.apiUrl });
  let granted;
  try {
    granted = await exchangeGrantCode(ends.accounts, { clientId: input.clientId, clientSecret: input.clientSecret, code: input.grantCode.trim() });
  } catch (e) {
    throw toAppError(e);
  }
  // The API host: an explicit override wins, else the data centre's (api_domain must agree with it).
  const apiBase = ends.api;
  const probe = new ZohoClient({
    apiBase,
    organizationId: input.organizationId ?? '',
    tokens: fixedToken(granted.accessToken, granted.expiresIn),
  });
  let orgs: { organization_id: string; name: string }[];
  try {
    orgs = ((await probe.listOrganizations()).organizations as { organization_id: string; name: string }[]) ?? [];
  } catch (e) {
    throw toAppError(e);
  }
  const org = input.organizationId ? orgs.find((o) => o.organization_id === input.organizationId) : orgs.length === 1 ? orgs[0] : undefined;
  if (!org) {
    throw badRequest(
      'choose-organization',
      orgs.length === 0
        ? 'This Zoho user has no Books organisation on that data centre.'
        : `Say which organisation to connect: ${orgs.map((o) => `${o.name} (${o.organization_id})`).join(', ')}.`,
      { organizations: orgs.map((o) => ({ organizationId: o.organization_id, name: o.name })) },
    );
  }
  const id = newId('zc');
  const at = nowIso();
  await deps.store.exec(
    `INSERT INTO zoho_connections (id, name, data_centre, organization_id, organization_name, client_id, accounts_url, api_url, per_minute, concurrency, created_by, created_at, updated_at, timeout_ms, late_write_margin_ms)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12, $13, $14)`,
    [id, input.name.trim(), input.dataCentre, org.organization_id, org.name, input.clientId, input.accountsUrl ?? null, input.apiUrl ?? null, input.perMinute ?? 90, input.concurrency ?? 10, input.createdBy, at, input.timeoutMs ?? DEFAULT_DEADLINE_MS, input.lateWriteMarginMs ?? DEFAULT_LATE_WRITE_MARGIN_MS],
  );
  await deps.secrets.put(secretName(id, 'client-secret'), input.clientSecret);
  await deps.secrets.put(secretName(id, 'refresh-token'), granted.refreshToken);
  await deps.secrets.put(secretName(id, 'access-token'), JSON.stringify({ accessToken: granted.accessToken, expiresAt: Date.now() + granted.expiresIn * 1000 } satisfies CachedToken));
  return getConnection(deps.store, id);
}

/**
 * Stores a connection whose refresh token is already known (tests, the benchmark, a migration from
 * the old system's configuration). Same encryption as createConnection.
 */
export async function saveConnectionWithRefreshToken(
  deps: ConnectionDeps,
  input: Omit<NewConnection, 'grantCode'> & { refreshToken: string; organizationId: string; organizationName?: string },
): Promise<ZohoConnection> {
  if (!isDataCentre(input.dataCentre)) throw badRequest('bad-data-centre', `"${input.dataCentre}" is not a Zoho data centre.`);
  const id = newId('zc');
  const at = nowIso();
  await deps.store.exec(
    `INSERT INTO zoho_connections (id, name, data_centre, organization_id, organization_name, client_id, accounts_url, api_url, per_minute, concurrency, created_by, created_at, updated_at, timeout_ms, late_write_margin_ms)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12, $13, $14)`,
    [id, input.name, input.dataCentre, input.organizationId, input.organizationName ?? '', input.clientId, input.accountsUrl ?? null, input.apiUrl ?? null, input.perMinute ?? 90, input.concurrency ?? 10, input.createdBy, at, input.timeoutMs ?? DEFAULT_DEADLINE_MS, input.lateWriteMarginMs ?? DEFAULT_LATE_WRITE_MARGIN_MS],
  );
  await deps.secrets.put(secretName(id, 'client-secret'), input.clientSecret);
  await deps.secrets.put(secretName(id, 'refresh-token'), input.refreshToken);
  return getConnection(deps.store, id);
}

export async function deleteConnection(deps: ConnectionDeps, id: string): Promise<void> {
  await getConnection(deps.store, id);
  await deps.store.exec('DELETE FROM zoho_connections WHERE id = $1', [id]);
  for (const what of ['client-secret', 'refresh-token', 'access-token'] as const) await deps.secrets.delete(secretName(id, what));
}

function fixedToken(accessToken: string, expiresIn: number): TokenManager {
  const t = new TokenManager({ accounts: '', credentials: async () => ({ clientId: '', clientSecret: '', refreshToken: '' }) });
  const cached: CachedToken = { accessToken, expiresAt: Date.now() + expiresIn * 1000 };
  t.token = async () => cached;
  return t;
}

const managers = new Map<string, TokenManager>();

export interface ClientOptions {
  clock?: Clock;
  /** Override the stored per-minute / concurrency limits (tests against a fast sandbox). */
  perMinute?: number;
  concurrency?: number;
  timeoutMs?: number;
  backoffMs?: number;
  onCall?: ConstructorParameters<typeof ZohoClient>[0]['onCall'];
}

/**
 * A client for the connection: one token manager per connection in this process, and the
 * organisation's limits kept in the store (shared by every process, kept across restarts); a
 * simulated clock (the benchmark) gets a limiter of its own in memory.
 */
export async function clientFor(deps: ConnectionDeps, connectionId: string, opts: ClientOptions = {}): Promise<{ client: ZohoClient; connection: ZohoConnection; tokens: TokenManager }> {
  const c = await getConnection(deps.store, connectionId);
  const ends = endpointsFor(c.dataCentre, { accounts: c.accountsUrl ?? undefined, api: c.apiUrl ?? undefined });
  const key = `${deps.store.description}|${c.id}|${opts.clock ? 'sim' : 'real'}`;
  let tokens = opts.clock ? undefined : managers.get(key);
  if (!tokens) {
    tokens = new TokenManager({
      accounts: ends.accounts,
      clock: opts.clock,
      connectionName: c.name,
      credentials: async () => {
        const [clientSecret, refreshToken] = await Promise.all([deps.secrets.get(secretName(c.id, 'client-secret')), deps.secrets.get(secretName(c.id, 'refresh-token'))]);
        if (!clientSecret || !refreshToken) throw new ZohoError('reconnect', `Connection "${c.name}" has no stored credentials. An admin reconnects it under Settings → Zoho connections.`);
        return { clientId: c.clientId, clientSecret, refreshToken };
      },
      store: {
        load: async () => {
          const v = await deps.secrets.get(secretName(c.id, 'access-token'));
          return v ? (JSON.parse(v) as CachedToken) : undefined;
        },
        save: (t) => deps.secrets.put(secretName(c.id, 'access-token'), JSON.stringify(t)),
      },
    });
    if (!opts.clock) managers.set(key, tokens);
  }
  const limiterOpts = { perMinute: opts.perMinute ?? c.perMinute, concurrency: opts.concurrency ?? c.concurrency, clock: opts.clock };
  const timeoutMs = opts.timeoutMs ?? c.timeoutMs;
  const limiter = opts.clock ? new ZohoLimiter(limiterOpts) : sharedLimiterFor(deps.store, c.organizationId, { perMinute: limiterOpts.perMinute, concurrency: limiterOpts.concurrency, busyMs: timeoutMs });
  const client = new ZohoClient({ apiBase: ends.api, organizationId: c.organizationId, tokens, limiter, clock: opts.clock, timeoutMs, backoffMs: opts.backoffMs, onCall: opts.onCall });
  return { client, connection: c, tokens };
}

/** Calls Zoho with the stored credentials (GET /organizations) and records the outcome. */
export async function testConnection(deps: ConnectionDeps, id: string): Promise<{ ok: boolean; message: string }> {
  const { client, connection } = await clientFor(deps, id);
  let result: { ok: boolean; message: string };
  try {
    const r = await client.listOrganizations();
    const orgs = (r.organizations as { organization_id: string; name: string }[]) ?? [];
    const org = orgs.find((o) => o.organization_id === connection.organizationId);
    result = org
      ? { ok: true, message: `Connected to ${org.name} (${org.organization_id}) on ${connection.accountsUrl ? `the local sandbox (${connection.accountsUrl})` : DATA_CENTRES[connection.dataCentre].label}.` }
      : { ok: false, message: `The credentials work but organisation ${connection.organizationId} is no longer visible to this Zoho user.` };
  } catch (e) {
    result = { ok: false, message: (e as Error).message };
  }
  await deps.store.exec('UPDATE zoho_connections SET last_test_at = $2, last_test_result = $3 WHERE id = $1', [id, nowIso(), result.message]);
  return result;
}

function toAppError(e: unknown): AppError {
  if (e instanceof ZohoError) {
    const status = e.kind === 'reconnect' || e.kind === 'rejected' ? 400 : 502;
    return new AppError(status, e.kind === 'reconnect' ? 'zoho-reconnect' : 'zoho-error', e.message, { code: e.details.code, body: e.details.body });
  }
  return e as AppError;
}
