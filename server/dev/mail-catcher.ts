/**
 * The demo mail catcher started by `npm start` (scripts/start-all.ts) and by the tests: an SMTP
 * server on loopback that keeps what it receives in memory, so approval links "e-mailed" to a
 * customer's approver can be read on this machine — Settings → Demo mail inbox in the task pane
 * (routes/dev-mail.ts) lists them while the catcher runs in the server's process. Nothing is
 * relayed anywhere. Uses smtp-server (a development dependency, present wherever `npm start` runs),
 * loaded only when the catcher starts.
 */
import type { SMTPServer as SmtpServer } from 'smtp-server';

export interface CaughtMail {
  id: string;
  from: string;
  to: string[];
  subject: string;
  receivedAt: string;
  text: string;
  /** The http(s) links in the text, in order. */
  links: string[];
}

export interface MailCatcher {
  host: string;
  port: number;
  /** Newest first. */
  messages(): CaughtMail[];
  /** Resolves with the first message (old or new) the test matches; rejects when the catcher closes first. */
  next(match: (m: CaughtMail) => boolean): Promise<CaughtMail>;
  close(): Promise<void>;
}

let active: MailCatcher | undefined;
/** The catcher running in this process, if any (the demo inbox route reads it). */
export function activeMailCatcher(): MailCatcher | undefined {
  return active;
}

const KEEP = 200;

// ---- just enough MIME to read what nodemailer writes ------------------------------------------

function splitHead(raw: string): { headers: Map<string, string>; body: string } {
  const at = raw.search(/\r?\n\r?\n/);
  const head = at < 0 ? raw : raw.slice(0, at);
  const body = at < 0 ? '' : raw.slice(at).replace(/^\r?\n\r?\n/, '');
  const headers = new Map<string, string>();
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return { headers, body };
}

function decodeQuotedPrintable(s: string): Buffer {
  const bytes: number[] = [];
  const text = s.replace(/=\r?\n/g, '');
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '=' && /^[0-9A-Fa-f]{2}$/.test(text.slice(i + 1, i + 3))) {
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(...Buffer.from(text[i]!, 'utf8'));
  }
  return Buffer.from(bytes);
}

function decodeBody(body: string, encoding: string | undefined): string {
  const e = (encoding ?? '').toLowerCase();
  if (e === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (e === 'quoted-printable') return decodeQuotedPrintable(body).toString('utf8');
  return body;
}

/** `=?UTF-8?Q?…?=` and `=?UTF-8?B?…?=` words in a header. */
function decodeWords(value: string): string {
  return value.replace(/=\?([^?]+)\?([bBqQ])\?([^?]*)\?=\s*/g, (_, _charset: string, kind: string, text: string) =>
    kind.toUpperCase() === 'B' ? Buffer.from(text, 'base64').toString('utf8') : decodeQuotedPrintable(text.replace(/_/g, ' ')).toString('utf8'),
  );
}

/** The text/plain part of a message (multipart or not). */
function plainText(raw: string): string {
  const { headers, body } = splitHead(raw);
  const type = headers.get('content-type') ?? 'text/plain';
  const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
  if (/^multipart\//i.test(type) && boundary) {
    const parts = body.split(`--${boundary}`).slice(1).filter((p) => !p.startsWith('--'));
    for (const p of parts) {
      const text = plainText(p.replace(/^\r?\n/, ''));
      if (text) return text;
    }
    return '';
  }
  return /^text\/plain/i.test(type) ? decodeBody(body, headers.get('content-transfer-encoding')) : '';
}

export function readMessage(raw: string, envelope: { from: string; to: string[] }, id: string): CaughtMail {
  const { headers } = splitHead(raw);
  const text = plainText(raw).replace(/\r\n/g, '\n').trim();
  return {
    id,
    from: decodeWords(headers.get('from') ?? envelope.from),
    to: envelope.to,
    subject: decodeWords(headers.get('subject') ?? ''),
    receivedAt: new Date().toISOString(),
    text,
    links: text.match(/https?:\/\/[^\s<>"]+/g) ?? [],
  };
}

// ---- the server --------------------------------------------------------------------------------

export async function startMailCatcher(options: { port?: number } = {}): Promise<MailCatcher> {
  let SMTPServer: typeof SmtpServer;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    ({ SMTPServer } = require('smtp-server') as typeof import('smtp-server'));
  } catch {
    throw new Error('The demo mail catcher needs the smtp-server package (a development dependency): run npm install.');
  }
  const caught: CaughtMail[] = [];
  const waiting = new Set<{ match: (m: CaughtMail) => boolean; resolve: (m: CaughtMail) => void; reject: (e: Error) => void }>();
  let count = 0;
  const server = new SMTPServer({
    logger: false,
    authOptional: true,
    // Loopback only, nothing secret to protect in transit: plain SMTP keeps the demo free of certificates.
    disabledCommands: ['STARTTLS', 'AUTH'],
    size: 1024 * 1024,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const envelope = {
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
        };
        const mail = readMessage(Buffer.concat(chunks).toString('utf8'), envelope, `mail-${++count}`);
        caught.unshift(mail);
        caught.length = Math.min(caught.length, KEEP);
        for (const w of [...waiting]) {
          if (w.match(mail)) {
            waiting.delete(w);
            w.resolve(mail);
          }
        }
        callback();
      });
    },
  });
  server.on('error', () => undefined);
  const wanted = options.port ?? 0;
  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.server.off('error', reject);
        resolve();
      });
    });
  try {
    await listen(wanted);
  } catch {
    await listen(0); // the usual port is taken: any free one
  }
  const port = (server.server.address() as { port: number }).port;
  const catcher: MailCatcher = {
    host: '127.0.0.1',
    port,
    messages: () => [...caught],
    next(match) {
      const hit = caught.find(match);
      if (hit) return Promise.resolve(hit);
      return new Promise((resolve, reject) => waiting.add({ match, resolve, reject }));
    },
    async close() {
      if (active === catcher) active = undefined;
      for (const w of waiting) w.reject(new Error('The mail catcher closed before the message arrived.'));
      waiting.clear();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  active = catcher;
  return catcher;
}
