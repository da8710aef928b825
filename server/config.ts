/**
 * Backend configuration, read from the environment once at start-up.
 * (Over 400 lines: every setting with its meaning, its validation and the cross-checks between settings in one place.)
 *
 * Every setting, its default and its meaning are in SETTINGS below — the one list, which the README's
 * table is generated from (`npx tsx scripts/readme-settings.ts`, checked by test/readme.test.ts).
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';

export interface SettingInfo {
  name: string;
  default: string;
  meaning: string;
}

const SETTINGS: SettingInfo[] = [
  { name: 'PORT', default: '3000', meaning: 'TCP port the server listens on.' },
  { name: 'HOST', default: '127.0.0.1', meaning: 'Interface to listen on (0.0.0.0 for every interface).' },
  { name: 'CLOSEDESK_DATA_DIR', default: './data', meaning: 'Folder for the SQLite file, development keys and the generated master key.' },
  { name: 'DATABASE_URL', default: '(unset: SQLite file <data dir>/closedesk.sqlite)', meaning: 'postgres://user:pass@host:5432/db to use PostgreSQL instead of SQLite.' },
  { name: 'CLOSEDESK_DATASETS_DIR', default: './data/demo', meaning: 'Folder whose .xlsx, .csv and pipe-delimited .txt files are offered as datasets.' },
  { name: 'CLOSEDESK_SQL_SOURCES', default: '(unset: none)', meaning: 'JSON file naming SQL databases and parameterised queries offered as datasets.' },
  { name: 'AUTH_ISSUER', default: '(unset: local development issuer)', meaning: 'Expected issuer (iss) of bearer tokens from your identity provider, e.g. https://login.microsoftonline.com/<tenant id>/v2.0.' },
  { name: 'AUTH_AUDIENCE', default: 'closedesk (development issuer)', meaning: 'Expected audience (aud) of bearer tokens; required with AUTH_JWKS_URL. For Microsoft Entra ID: the application (client) id.' },
  { name: 'AUTH_JWKS_URL', default: '(unset: local development issuer)', meaning: "URL of the identity provider's signing keys (JWKS), https (http only on a loopback address). Unset = tokens from `closedesk token` and the dev sign-in, on a loopback HOST only." },
  { name: 'AUTH_ROLES_CLAIM', default: 'roles', meaning: 'Token claim holding the CloseDesk roles (preparer, approver, admin); a dotted path such as realm_access.roles works too.' },
  { name: 'AUTH_CLIENT_ID', default: '(unset: the task pane cannot sign in)', meaning: "Client id the task pane signs in with: the Entra ID app registration's application id, or your OpenID Connect provider's client." },
  { name: 'AUTH_AUTHORITY', default: 'AUTH_ISSUER (without /v2.0 for Entra ID)', meaning: 'Where the task pane signs in, e.g. https://login.microsoftonline.com/<tenant id>.' },
  { name: 'AUTH_SCOPES', default: 'api://<AUTH_CLIENT_ID>/access_as_user', meaning: 'Scopes the task pane asks for to call this server, space-separated.' },
  { name: 'AUTH_PROVIDER', default: 'auto', meaning: 'entra (nested app auth in Office, Microsoft Entra ID) or oidc (any other OpenID Connect provider); auto = entra when the authority is login.microsoftonline.com.' },
  { name: 'AUTH_CA_FILE', default: '(unset: the system CAs)', meaning: "Extra CA certificates (PEM) trusted when fetching the identity provider's keys, for a provider behind a private CA." },
  { name: 'CLOSEDESK_AUDIT_KEY', default: '(unset: derived from the master key)', meaning: 'Own 32-byte key, base64 or hex, for the audit log MACs and checkpoints; keeps the audit verifiable when the master key is rotated.' },
  { name: 'CLOSEDESK_AUDIT_CHECKPOINTS', default: '<data dir>/audit-checkpoints.log', meaning: 'Append-only file outside the database where every audit write leaves a signed checkpoint (entry count + head MAC).' },
  { name: 'CLOSEDESK_PUBLIC_RATE_LIMIT', default: '60', meaning: 'Requests per minute one client address may make to each route that needs no sign-in (dev sign-in, approval links); the health check is not limited.' },
  { name: 'CLOSEDESK_MASTER_KEY', default: '(unset: generated into <data dir>/master.key)', meaning: '32-byte key, base64 or hex, that encrypts stored credentials. Set it in production.' },
  { name: 'CLOSEDESK_ADDIN_ORIGIN', default: "(the server's own origin)", meaning: 'Origins allowed to call the API from a browser (CORS), comma-separated.' },
  { name: 'CLOSEDESK_PUBLIC_ORIGIN', default: "(the server's own origin, e.g. http://localhost:3000)", meaning: 'Origin of the links CloseDesk e-mails (tuition approval links), e.g. https://closedesk.example.com: https, or http on a loopback address; never taken from a request. Required with SMTP_HOST when HOST is not a loopback address.' },
  { name: 'SMTP_HOST', default: '(unset: approval links cannot be e-mailed; `npm start` runs a local mail catcher)', meaning: 'Mail server that sends tuition approval links to the customers\' approvers.' },
  { name: 'SMTP_PORT', default: '587 (465 with SMTP_SECURE=on)', meaning: 'Port of the mail server.' },
  { name: 'SMTP_SECURE', default: 'off', meaning: 'on = TLS from the first byte (usually port 465); off = STARTTLS, which is required unless the mail server is on this machine.' },
  { name: 'SMTP_USER', default: '(unset: no sign-in)', meaning: 'User name for the mail server.' },
  { name: 'SMTP_PASSWORD', default: '(unset)', meaning: 'Password for the mail server; never logged or shown.' },
  { name: 'CLOSEDESK_MAIL_FROM', default: 'CloseDesk <closedesk@localhost>', meaning: 'Sender of the e-mails CloseDesk sends.' },
  { name: 'SMTP_TIMEOUT_MS', default: '20000', meaning: 'Deadline for reaching the mail server and for sending one message; past it the connection is closed and the send fails.' },
  { name: 'BODY_LIMIT_BYTES', default: '10485760 (10 MB)', meaning: 'Largest request body accepted; bigger uploads get a 413 answer.' },
  { name: 'LOG_LEVEL', default: 'info', meaning: 'Log detail: fatal, error, warn, info, debug, trace or silent.' },
  { name: 'TLS_CERT_FILE', default: '~/.office-addin-dev-certs/localhost.crt when present', meaning: 'HTTPS certificate (PEM). Office requires HTTPS for add-ins.' },
  { name: 'TLS_KEY_FILE', default: '~/.office-addin-dev-certs/localhost.key when present', meaning: 'HTTPS private key (PEM).' },
  { name: 'CLOSEDESK_HTTPS', default: 'auto', meaning: 'auto = HTTPS when the certificate and key exist; on = require them; off = plain HTTP.' },
  { name: 'CLOSEDESK_STATIC_DIR', default: './dist', meaning: 'Folder of the built add-in, served at / on the same origin as the API.' },
  { name: 'CLOSEDESK_VRET_SOURCE', default: '(unset: none)', meaning: 'postgres:// URL of the database holding the VRET tables (CM, ADJ, GLAP, RVR, mappings); Redshift speaks the same protocol.' },
  { name: 'CLOSEDESK_VRET_INPUTS_DIR', default: '(unset; `npm start`: <datasets dir>/vret)', meaning: 'Folder of cm.csv, adj.csv, glap.csv, rvr.csv, l2c.csv, led2chan.csv, ledgers.csv for the VRET page.' },
  { name: 'CLOSEDESK_VRET_THR_DIR', default: '(unset; `npm start`: <datasets dir>/vret/thr)', meaning: 'Folder of pipe-delimited THR transaction-history files, streamed by the VRET build.' },
  { name: 'CLOSEDESK_POSTING_LEASE_SECONDS', default: '30', meaning: "How long a posting worker's claim on a document lasts without its heartbeat; after a crash its documents are taken over by another process (or the restarted one) once this has passed." },
  { name: 'CLOSEDESK_DEMO_FTP_PORT', default: '2121', meaning: '`npm start` only: port of the local demo FTP target on 127.0.0.1.' },
  { name: 'ZOHO_SANDBOX_PORT', default: '3001', meaning: '`npm start` only: port of the local Zoho Books sandbox on 127.0.0.1.' },
  { name: 'ZOHO_SANDBOX_URL', default: '(unset; `npm start` sets it)', meaning: 'Base URL of a Zoho Books sandbox to use instead of the real data centres (development and tests).' },
];

/** The settings table (name, default, meaning), e.g. for the README and `closedesk help`. */
export function settingsTable(): SettingInfo[] {
  return SETTINGS.map((s) => ({ ...s }));
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const emptyToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const optionalText = z.preprocess(emptyToUndefined, z.string().trim().optional());

const optionalMatching = (re: RegExp, message: string) => z.preprocess(emptyToUndefined, z.string().trim().regex(re, message).optional());
const wholeNumber = (min: number, max: number, fallback: number) =>
  z.preprocess(
    emptyToUndefined,
    z.coerce
      .number({ invalid_type_error: `must be a whole number from ${min} to ${max}` })
      .int(`must be a whole number from ${min} to ${max}`)
      .min(min, `must be at least ${min}`)
      .max(max, `must be at most ${max}`)
      .default(fallback),
  );

export const envSchema = z.object({
  PORT: wholeNumber(0, 65535, 3000),
  HOST: z.preprocess(emptyToUndefined, z.string().default('127.0.0.1')),
  CLOSEDESK_DATA_DIR: z.preprocess(emptyToUndefined, z.string().default('./data')),
  DATABASE_URL: optionalMatching(/^(postgres(ql)?:\/\/|sqlite:)/i, 'must start with postgres:// (or sqlite:<file>)'),
  CLOSEDESK_DATASETS_DIR: optionalText,
  CLOSEDESK_SQL_SOURCES: optionalText,
  AUTH_ISSUER: optionalText,
  AUTH_AUDIENCE: optionalText,
  AUTH_JWKS_URL: optionalMatching(/^https?:\/\//, 'must be an http(s) URL').refine((v) => v === undefined || secureOrLoopbackUrl(v), {
    message: 'must be an https URL (plain http only on a loopback address such as 127.0.0.1)',
  }),
  AUTH_ROLES_CLAIM: z.preprocess(emptyToUndefined, z.string().trim().regex(/^[\w:/.-]+$/, 'must be a claim name or dotted path').default('roles')),
  AUTH_CLIENT_ID: optionalText,
  AUTH_AUTHORITY: optionalMatching(/^https:\/\//, 'must be an https URL'),
  AUTH_SCOPES: optionalText,
  AUTH_PROVIDER: z.preprocess(
    emptyToUndefined,
    z.enum(['auto', 'entra', 'oidc'], { errorMap: () => ({ message: 'must be auto, entra or oidc' }) }).default('auto'),
  ),
  AUTH_CA_FILE: optionalText,
  CLOSEDESK_AUDIT_KEY: optionalText,
  CLOSEDESK_AUDIT_CHECKPOINTS: optionalText,
  CLOSEDESK_PUBLIC_RATE_LIMIT: wholeNumber(1, 100000, 60),
  CLOSEDESK_MASTER_KEY: optionalText,
  CLOSEDESK_ADDIN_ORIGIN: optionalText,
  CLOSEDESK_PUBLIC_ORIGIN: optionalMatching(/^https?:\/\/[^/?#\s]+\/?$/, 'must be an origin such as https://closedesk.example.com (no path)').refine((v) => v === undefined || secureOrLoopbackUrl(v), {
    message: 'must be https (plain http only on a loopback address): the links it starts carry approval tokens',
  }),
  SMTP_HOST: optionalMatching(/^[A-Za-z0-9.:[\]_-]+$/, 'must be a host name or address'),
  SMTP_PORT: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1).max(65535).optional()),
  SMTP_SECURE: z.preprocess(emptyToUndefined, z.enum(['on', 'off'], { errorMap: () => ({ message: 'must be on or off' }) }).default('off')),
  SMTP_USER: optionalText,
  SMTP_PASSWORD: z.preprocess(emptyToUndefined, z.string().optional()),
  CLOSEDESK_MAIL_FROM: z.preprocess(emptyToUndefined, z.string().trim().max(300).default('CloseDesk <closedesk@localhost>')),
  SMTP_TIMEOUT_MS: wholeNumber(1000, 600_000, 20_000),
  BODY_LIMIT_BYTES: wholeNumber(1024, 2 ** 31, 10 * 1024 * 1024),
  LOG_LEVEL: z.preprocess(
    emptyToUndefined,
    z.enum(LOG_LEVELS, { errorMap: () => ({ message: `must be one of ${LOG_LEVELS.join(', ')}` }) }).default('info'),
  ),
  TLS_CERT_FILE: optionalText,
  TLS_KEY_FILE: optionalText,
  CLOSEDESK_HTTPS: z.preprocess(
    emptyToUndefined,
    z.enum(['auto', 'on', 'off'], { errorMap: () => ({ message: 'must be auto, on or off' }) }).default('auto'),
  ),
  CLOSEDESK_STATIC_DIR: optionalText,
  // Read by the VRET routes and by `npm start`'s stand-ins; validated here so a typo is reported at start-up.
  CLOSEDESK_VRET_SOURCE: optionalText.refine((v) => v === undefined || /^postgres(ql)?:\/\//i.test(v), {
    message: 'CLOSEDESK_VRET_SOURCE must start with postgres://',
  }),
  CLOSEDESK_VRET_INPUTS_DIR: optionalText,
  CLOSEDESK_VRET_THR_DIR: optionalText,
  CLOSEDESK_POSTING_LEASE_SECONDS: wholeNumber(1, 3600, 30),
  CLOSEDESK_DEMO_FTP_PORT: z.preprocess(emptyToUndefined, z.coerce.number().int().min(0).max(65535).optional()),
  ZOHO_SANDBOX_PORT: z.preprocess(emptyToUndefined, z.coerce.number().int().min(0).max(65535).optional()),
  ZOHO_SANDBOX_URL: optionalText.refine((v) => v === undefined || /^https?:\/\//.test(v), { message: 'ZOHO_SANDBOX_URL must be an http(s) URL' }),
});

/** 127.0.0.0/8, ::1 and localhost: addresses only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^(::ffff:)?127(\.\d{1,3}){3}$/.test(h);
}

/** https anywhere; plain http only to this machine (a test or side-car identity provider). */
export function secureOrLoopbackUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === 'https:' || (u.protocol === 'http:' && isLoopbackHost(u.hostname));
  } catch {
    return false;
  }
}

/** Rules across settings, checked on the raw values so they are reported with the others. */
function crossChecks(env: Record<string, string | undefined>): string[] {
  const set = (k: string) => Boolean(env[k]?.trim());
  const out: string[] = [];
  if (set('AUTH_JWKS_URL') && (!set('AUTH_ISSUER') || !set('AUTH_AUDIENCE'))) out.push('AUTH_JWKS_URL: needs AUTH_ISSUER and AUTH_AUDIENCE too');
  for (const k of ['AUTH_CLIENT_ID', 'AUTH_AUTHORITY', 'AUTH_SCOPES', 'AUTH_CA_FILE']) {
    if (set(k) && !set('AUTH_JWKS_URL')) out.push(`${k}: only used with an identity provider; set AUTH_JWKS_URL, AUTH_ISSUER and AUTH_AUDIENCE too`);
  }
  for (const k of ['SMTP_PORT', 'SMTP_USER', 'SMTP_PASSWORD']) if (set(k) && !set('SMTP_HOST')) out.push(`${k}: only used with a mail server; set SMTP_HOST too`);
  if (set('SMTP_PASSWORD') && !set('SMTP_USER')) out.push('SMTP_PASSWORD: needs SMTP_USER too');
  // E-mailed links must name the address people reach this server at; the listening interface does not say it.
  if (set('SMTP_HOST') && set('HOST') && !isLoopbackHost(env.HOST!) && !set('CLOSEDESK_PUBLIC_ORIGIN')) {
    out.push('CLOSEDESK_PUBLIC_ORIGIN: needed with SMTP_HOST when HOST is not a loopback address (the origin the e-mailed approval links point at)');
  }
  return out;
}

export type Env = z.infer<typeof envSchema>;

/** How the task pane signs in with the identity provider (MSAL), told to it by GET /api/auth/config. */
export interface SignInConfig {
  /** entra: Microsoft Entra ID (nested app auth inside Office); oidc: any other OpenID Connect provider. */
  provider: 'entra' | 'oidc';
  clientId: string;
  authority: string;
  scopes: string[];
}

export interface AuthConfig {
  /** 'dev' = local development issuer (keys in the data dir); 'jwks' = external identity provider. */
  mode: 'dev' | 'jwks';
  issuer: string;
  audience: string;
  jwksUrl?: string;
  /** Claim (or dotted path) holding the roles. */
  rolesClaim: string;
  /** Extra CA certificates (PEM file) for fetching the JWKS. */
  caFile?: string;
  /** Absent with the development issuer, or when AUTH_CLIENT_ID is not set. */
  signIn?: SignInConfig;
}

/** The mail server CloseDesk sends approval links through (absent: nothing is e-mailed). */
export interface MailConfig {
  host: string;
  port: number;
  /** TLS from the first byte; otherwise STARTTLS, required unless the server is on this machine. */
  secure: boolean;
  requireTls: boolean;
  user?: string;
  /** Never logged, never returned. */
  password?: string;
  from: string;
  /** Deadline for connecting and for sending one message. */
  timeoutMs: number;
}

export interface AuditConfig {
  /** Own audit key (CLOSEDESK_AUDIT_KEY); otherwise the audit key is derived from the master key. */
  key?: Buffer;
  checkpointsFile: string;
}

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl?: string;
  sqliteFile: string;
  datasetsDir: string;
  sqlSourcesFile?: string;
  auth: AuthConfig;
  audit: AuditConfig;
  /** Requests per minute per client address on each route that needs no sign-in. */
  publicRateLimit: number;
  masterKey: Buffer;
  /** True when the master key was generated into the data dir (development only). */
  masterKeyGenerated: boolean;
  corsOrigins: string[];
  /** Origin of links that are e-mailed (never a request's Host header). */
  publicOrigin: string;
  mail?: MailConfig;
  bodyLimit: number;
  logLevel: (typeof LOG_LEVELS)[number];
  tls?: { certFile: string; keyFile: string };
  staticDir: string;
  /** Lease time of the posting worker's claims (heartbeat every third of it). */
  postingLeaseMs: number;
  /** Start-up warnings to log once the logger exists. */
  warnings: string[];
}

export const DEV_ISSUER = 'urn:closedesk:dev-issuer';
export const DEV_AUDIENCE = 'closedesk';
/** Longest life of a development token, whoever asks; the sign-in route issues DEV_TOKEN_TTL_SECONDS. */
export const DEV_TOKEN_MAX_TTL_SECONDS = 12 * 3600;
export const DEV_TOKEN_TTL_SECONDS = 8 * 3600;

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Accepts 32 bytes as base64 (44 chars) or hex (64 chars). */
export function parseMasterKey(text: string, setting = 'CLOSEDESK_MASTER_KEY'): Buffer {
  const t = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(t) ? Buffer.from(t, 'hex') : Buffer.from(t, 'base64');
  if (key.length !== 32) {
    throw new ConfigError(`${setting} must be 32 bytes written as base64 (44 characters) or hex (64 characters).`);
  }
  return key;
}

/**
 * The development issuer lets anyone who reaches the server sign in with any name and role, so it
 * is served on this machine only: buildApp calls this, and the server does not start otherwise.
 */
export function assertSafeToServe(config: Pick<Config, 'auth' | 'host'>): void {
  if (config.auth.mode === 'dev' && !isLoopbackHost(config.host)) {
    throw new ConfigError(
      `HOST is ${config.host}, but the development sign-in is on: anyone who could reach this server could sign in with any name and role. ` +
        'Listen on 127.0.0.1 (HOST=127.0.0.1), or set AUTH_ISSUER, AUTH_AUDIENCE and AUTH_JWKS_URL to use your identity provider.',
    );
  }
}

const MICROSOFT_LOGIN_HOSTS = /^login\.(microsoftonline\.(com|us)|partner\.microsoftonline\.cn|chinacloudapi\.cn)$/i;

function hostOf(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return '';
  }
}

function signInConfig(e: Env): SignInConfig | undefined {
  if (!e.AUTH_CLIENT_ID || !e.AUTH_ISSUER) return undefined;
  const issuer = e.AUTH_ISSUER.replace(/\/+$/, '');
  const authority = (e.AUTH_AUTHORITY ?? (MICROSOFT_LOGIN_HOSTS.test(hostOf(issuer)) ? issuer.replace(/\/v2\.0$/, '') : issuer)).replace(/\/+$/, '');
  const provider = e.AUTH_PROVIDER === 'auto' ? (MICROSOFT_LOGIN_HOSTS.test(hostOf(authority)) ? 'entra' : 'oidc') : e.AUTH_PROVIDER;
  const scopes = (e.AUTH_SCOPES ?? `api://${e.AUTH_CLIENT_ID}/access_as_user`).split(/[\s,]+/).filter(Boolean);
  return { provider, clientId: e.AUTH_CLIENT_ID, authority, scopes };
}

function loadOrCreateMasterKey(dataDir: string, warnings: string[]): Buffer {
  const file = path.join(dataDir, 'master.key');
  if (fs.existsSync(file)) {
    warnings.push(`Using the development master key in ${file}; set CLOSEDESK_MASTER_KEY in production.`);
    return parseMasterKey(fs.readFileSync(file, 'utf8'));
  }
  fs.mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(32);
  fs.writeFileSync(file, key.toString('base64') + '\n', { mode: 0o600 });
  warnings.push(`Generated a development master key in ${file}; set CLOSEDESK_MASTER_KEY in production and keep it safe.`);
  return key;
}

/**
 * Builds the configuration from environment variables (`process.env` by default), relative paths
 * resolved against `cwd`. Throws ConfigError listing every bad setting.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env, cwd = process.cwd()): Config {
  const parsed = envSchema.safeParse(env);
  const lines = [...(parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.') || 'settings'}: ${i.message}`)), ...crossChecks(env)];
  if (!parsed.success || lines.length) {
    throw new ConfigError(`The server settings are not valid:\n  ${lines.join('\n  ')}`);
  }
  const e = parsed.data;
  const warnings: string[] = [];
  const abs = (p: string) => path.resolve(cwd, p.replace(/^~(?=$|\/)/, os.homedir()));
  const dataDir = abs(e.CLOSEDESK_DATA_DIR);

  let tls: Config['tls'];
  if (e.CLOSEDESK_HTTPS !== 'off') {
    const certDir = path.join(os.homedir(), '.office-addin-dev-certs');
    const certFile = e.TLS_CERT_FILE ? abs(e.TLS_CERT_FILE) : path.join(certDir, 'localhost.crt');
    const keyFile = e.TLS_KEY_FILE ? abs(e.TLS_KEY_FILE) : path.join(certDir, 'localhost.key');
    if (fs.existsSync(certFile) && fs.existsSync(keyFile)) tls = { certFile, keyFile };
    else if (e.CLOSEDESK_HTTPS === 'on' || e.TLS_CERT_FILE || e.TLS_KEY_FILE) {
      throw new ConfigError(`HTTPS was asked for but the certificate ${certFile} or key ${keyFile} does not exist.`);
    }
  }
  const scheme = tls ? 'https' : 'http';
  const ownOrigins =
    e.HOST === '127.0.0.1' || e.HOST === 'localhost' || e.HOST === '0.0.0.0'
      ? [`${scheme}://localhost:${e.PORT}`, `${scheme}://127.0.0.1:${e.PORT}`]
      : [`${scheme}://${e.HOST}:${e.PORT}`];

  const signIn = e.AUTH_JWKS_URL ? signInConfig(e) : undefined;
  const auth: AuthConfig = e.AUTH_JWKS_URL
    ? {
        mode: 'jwks',
        issuer: e.AUTH_ISSUER!,
        audience: e.AUTH_AUDIENCE!,
        jwksUrl: e.AUTH_JWKS_URL,
        rolesClaim: e.AUTH_ROLES_CLAIM,
        ...(e.AUTH_CA_FILE ? { caFile: abs(e.AUTH_CA_FILE) } : {}),
        ...(signIn ? { signIn } : {}),
      }
    : { mode: 'dev', issuer: e.AUTH_ISSUER ?? DEV_ISSUER, audience: e.AUTH_AUDIENCE ?? DEV_AUDIENCE, rolesClaim: e.AUTH_ROLES_CLAIM };
  if (auth.mode === 'dev') {
    warnings.push('Using the local development token issuer (this machine only); set AUTH_ISSUER, AUTH_AUDIENCE and AUTH_JWKS_URL in production.');
  } else if (!auth.signIn) {
    warnings.push('AUTH_CLIENT_ID is not set: the task pane cannot sign in; tokens from your identity provider are still accepted.');
  }
  if (auth.caFile && !fs.existsSync(auth.caFile)) throw new ConfigError(`AUTH_CA_FILE ${auth.caFile} does not exist.`);

  let masterKey: Buffer;
  let masterKeyGenerated = false;
  if (e.CLOSEDESK_MASTER_KEY) masterKey = parseMasterKey(e.CLOSEDESK_MASTER_KEY);
  else {
    masterKey = loadOrCreateMasterKey(dataDir, warnings);
    masterKeyGenerated = true;
  }

  return {
    port: e.PORT,
    host: e.HOST,
    dataDir,
    databaseUrl: e.DATABASE_URL,
    sqliteFile: path.join(dataDir, 'closedesk.sqlite'),
    datasetsDir: abs(e.CLOSEDESK_DATASETS_DIR ?? path.join(e.CLOSEDESK_DATA_DIR, 'demo')),
    sqlSourcesFile: e.CLOSEDESK_SQL_SOURCES ? abs(e.CLOSEDESK_SQL_SOURCES) : undefined,
    auth,
    audit: {
      ...(e.CLOSEDESK_AUDIT_KEY ? { key: parseMasterKey(e.CLOSEDESK_AUDIT_KEY, 'CLOSEDESK_AUDIT_KEY') } : {}),
      checkpointsFile: e.CLOSEDESK_AUDIT_CHECKPOINTS ? abs(e.CLOSEDESK_AUDIT_CHECKPOINTS) : path.join(dataDir, 'audit-checkpoints.log'),
    },
    publicRateLimit: e.CLOSEDESK_PUBLIC_RATE_LIMIT,
    masterKey,
    masterKeyGenerated,
    corsOrigins: e.CLOSEDESK_ADDIN_ORIGIN
      ? e.CLOSEDESK_ADDIN_ORIGIN.split(',').map((s) => s.trim().replace(/\/+$/, '')).filter(Boolean)
      : ownOrigins,
    publicOrigin: e.CLOSEDESK_PUBLIC_ORIGIN ? new URL(e.CLOSEDESK_PUBLIC_ORIGIN).origin : ownOrigins[0]!,
    ...(e.SMTP_HOST
      ? {
          mail: {
            host: e.SMTP_HOST,
            port: e.SMTP_PORT ?? (e.SMTP_SECURE === 'on' ? 465 : 587),
            secure: e.SMTP_SECURE === 'on',
            requireTls: e.SMTP_SECURE !== 'on' && !isLoopbackHost(e.SMTP_HOST),
            ...(e.SMTP_USER ? { user: e.SMTP_USER } : {}),
            ...(e.SMTP_PASSWORD !== undefined ? { password: e.SMTP_PASSWORD } : {}),
            from: e.CLOSEDESK_MAIL_FROM,
            timeoutMs: e.SMTP_TIMEOUT_MS,
          },
        }
      : {}),
    bodyLimit: e.BODY_LIMIT_BYTES,
    logLevel: e.LOG_LEVEL,
    tls,
    staticDir: abs(e.CLOSEDESK_STATIC_DIR ?? 'dist'),
    postingLeaseMs: e.CLOSEDESK_POSTING_LEASE_SECONDS * 1000,
    warnings,
  };
}
