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

/**
 * Bearer-style secrets that travel in a URL path (the customer's signed approval link) are cut out
 * of logged URLs: the link is single-use and expiring, but a log is no place for it either.
 */
export function redactUrl(url: string): string {
  return url.replace(/(\/approve\/)[^/?#]+/g, '$1[redacted]').replace(/([?&](?:token|access_token|code)=)[^&#]*/gi, '$1[redacted]');
}

interface LoggedRequest {
  method?: string;
  url?: string;
  host?: string;
  hostname?: string;
  ip?: string;
  socket?: { remoteAddress?: string; remotePort?: number };
}

export function createLogger(level: string, stream?: DestinationStream): Logger {
  const options = {
    level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    serializers: {
      req: (req: LoggedRequest) => ({
        method: req.method,
        url: redactUrl(req.url ?? ''),
        host: req.host ?? req.hostname,
        remoteAddress: req.ip ?? req.socket?.remoteAddress,
        remotePort: req.socket?.remotePort,
      }),
    },
  };
  return stream ? pino(options, stream) : pino(options);
}

export type { Logger };
