/**
 * Backend configuration, read from the environment once at start-up.
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
  { name: 'AUTH_ISSUER', default: '(unset: local development issuer)', meaning: 'Expected issuer (iss) of bearer tokens from your identity provider.' },
  { name: 'AUTH_AUDIENCE', default: 'closedesk (development issuer)', meaning: 'Expected audience (aud) of bearer tokens; required with AUTH_JWKS_URL.' },
  { name: 'AUTH_JWKS_URL', default: '(unset: local development issuer)', meaning: "URL of the identity provider's signing keys (JWKS). Unset = tokens from `closedesk token` and the dev sign-in." },
  { name: 'CLOSEDESK_MASTER_KEY', default: '(unset: generated into <data dir>/master.key)', meaning: '32-byte key, base64 or hex, that encrypts stored credentials. Set it in production.' },
  { name: 'CLOSEDESK_ADDIN_ORIGIN', default: "(the server's own origin)", meaning: 'Origins allowed to call the API from a browser (CORS), comma-separated.' },
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
  AUTH_JWKS_URL: optionalMatching(/^https?:\/\//, 'must be an http(s) URL'),
  CLOSEDESK_MASTER_KEY: optionalText,
  CLOSEDESK_ADDIN_ORIGIN: optionalText,
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

/** Rules across settings, checked on the raw values so they are reported with the others. */
function crossChecks(env: Record<string, string | undefined>): string[] {
  const set = (k: string) => Boolean(env[k]?.trim());
  return set('AUTH_JWKS_URL') && (!set('AUTH_ISSUER') || !set('AUTH_AUDIENCE'))
    ? ['AUTH_JWKS_URL: needs AUTH_ISSUER and AUTH_AUDIENCE too']
    : [];
}

export type Env = z.infer<typeof envSchema>;

export interface AuthConfig {
  /** 'dev' = local development issuer (keys in the data dir); 'jwks' = external identity provider. */
  mode: 'dev' | 'jwks';
  issuer: string;
  audience: string;
  jwksUrl?: string;
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
  masterKey: Buffer;
  /** True when the master key was generated into the data dir (development only). */
  masterKeyGenerated: boolean;
  corsOrigins: string[];
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

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Accepts 32 bytes as base64 (44 chars) or hex (64 chars). */
export function parseMasterKey(text: string): Buffer {
  const t = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(t) ? Buffer.from(t, 'hex') : Buffer.from(t, 'base64');
  if (key.length !== 32) {
    throw new ConfigError('CLOSEDESK_MASTER_KEY must be 32 bytes written as base64 (44 characters) or hex (64 characters).');
  }
  return key;
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

  const auth: AuthConfig = e.AUTH_JWKS_URL
    ? { mode: 'jwks', issuer: e.AUTH_ISSUER!, audience: e.AUTH_AUDIENCE!, jwksUrl: e.AUTH_JWKS_URL }
    : { mode: 'dev', issuer: e.AUTH_ISSUER ?? DEV_ISSUER, audience: e.AUTH_AUDIENCE ?? DEV_AUDIENCE };
  if (auth.mode === 'dev') {
    warnings.push('Using the local development token issuer; set AUTH_ISSUER, AUTH_AUDIENCE and AUTH_JWKS_URL in production.');
    if (!/^(127\.0\.0\.1|localhost|::1)$/.test(e.HOST)) {
      warnings.push(`HOST is ${e.HOST} while the development issuer is on: anyone who can reach this server can sign in with any role.`);
    }
  }

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
    masterKey,
    masterKeyGenerated,
    corsOrigins: e.CLOSEDESK_ADDIN_ORIGIN
      ? e.CLOSEDESK_ADDIN_ORIGIN.split(',').map((s) => s.trim().replace(/\/+$/, '')).filter(Boolean)
      : ownOrigins,
    bodyLimit: e.BODY_LIMIT_BYTES,
    logLevel: e.LOG_LEVEL,
    tls,
    staticDir: abs(e.CLOSEDESK_STATIC_DIR ?? 'dist'),
    postingLeaseMs: e.CLOSEDESK_POSTING_LEASE_SECONDS * 1000,
    warnings,
  };
}
