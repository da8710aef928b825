/**
 * Structured logs (pino). Credentials never reach a log line: authorization headers, cookies and
 * any field named like a password, secret or token are replaced with "[redacted]".
 */
import pino, { type DestinationStream, type Logger } from 'pino';

export const SENSITIVE_KEYS = [
  'authorization',
  'cookie',
  'password',
  'passphrase',
  'secret',
  'token',
  'accessToken',
  'access_token',
  'refreshToken',
  'refresh_token',
  'clientSecret',
  'client_secret',
  'privateKey',
  'apiKey',
  'masterKey',
];

export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  ...SENSITIVE_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`]),
];

export function createLogger(level: string, stream?: DestinationStream): Logger {
  const options = { level, redact: { paths: REDACT_PATHS, censor: '[redacted]' } };
  return stream ? pino(options, stream) : pino(options);
}

export type { Logger };
