/**
 * FTP and FTPS (explicit TLS, AUTH TLS) through basic-ftp. For FTPS the certificate is checked
 * against the pinned fingerprint right after the TLS handshake and before the password is sent.
 */
import { createReadStream } from 'node:fs';
import { PassThrough, Readable } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { Client, FTPError } from 'basic-ftp';
import type { RemoteSession, SessionOptions } from './session';
import { DeliveryError, type Credential, type Endpoint } from './types';

export function normaliseTlsFingerprint(fp: string): string {
  return fp.trim().replace(/^sha256:/i, '').replace(/:/g, '').toUpperCase();
}

/** Maps basic-ftp and socket errors onto the delivery error kinds. */
export function ftpError(err: unknown, doing: string): DeliveryError {
  if (err instanceof DeliveryError) return err;
  const e = err as { code?: number | string; message?: string };
  const msg = String(e?.message ?? err);
  if (err instanceof FTPError || typeof e?.code === 'number') {
    const code = Number(e.code);
    if (code === 530 || code === 331 || code === 332) return new DeliveryError('auth', `The FTP server refused the login (${msg.trim()}); check the user name and password.`, msg);
    if (code === 421 || code === 425 || code === 426) return new DeliveryError('transient', `The FTP server dropped the connection while ${doing} (${msg.trim()}).`, msg);
    if ([450, 550, 553, 532, 552].includes(code))
      return new DeliveryError('permission', `The FTP server refused ${doing}: ${msg.trim()}. Check that the account may write to this folder.`, msg);
    if (code >= 500) return new DeliveryError('permission', `The FTP server refused ${doing}: ${msg.trim()}.`, msg);
    return new DeliveryError('transient', `The FTP server answered ${code} while ${doing}: ${msg.trim()}.`, msg);
  }
  return new DeliveryError('transient', `The connection failed while ${doing}: ${msg}.`, msg);
}

export async function openFtpSession(endpoint: Endpoint, credential: Credential, options: SessionOptions): Promise<RemoteSession> {
  if (!('password' in credential)) throw new DeliveryError('config', 'FTP and FTPS partners sign in with a password; no password is stored for this partner.');
  const client = new Client(options.timeoutMs ?? 30_000);
  let fingerprint = '';
  let features: Map<string, string> = new Map();
  try {
    try {
      await client.connect(endpoint.host, endpoint.port);
    } catch (e) {
      throw ftpError(e, `connecting to ${endpoint.host}:${endpoint.port}`);
    }
    if (endpoint.protocol === 'ftps') {
      const pin = endpoint.tlsFingerprint ? normaliseTlsFingerprint(endpoint.tlsFingerprint) : '';
      try {
        // With a pin, the certificate need not chain to a public CA: the pin is the trust.
        await client.useTLS({ rejectUnauthorized: !pin, servername: /^[\d.:]+$/.test(endpoint.host) ? undefined : endpoint.host });
      } catch (e) {
        const m = String((e as Error)?.message ?? e);
        if (/certificate|self.signed|unable to verify|altnames/i.test(m))
          throw new DeliveryError('host-key', `The FTPS server's certificate is not trusted (${m}); pin its SHA-256 fingerprint in the partner settings if it is the right server.`, m);
        throw ftpError(e, 'starting TLS');
      }
      const cert = (client.ftp.socket as TLSSocket).getPeerCertificate();
      const seen = cert?.fingerprint256 ?? '';
      fingerprint = seen ? `sha256:${seen}` : '';
      if (pin && normaliseTlsFingerprint(seen) !== pin) {
        throw new DeliveryError(
          'host-key',
          `The FTPS server presented certificate ${fingerprint || '(none)'}, not the pinned one; nothing was sent. If the partner changed its certificate, update the pin after checking with them.`,
        );
      }
    }
    try {
      await client.login(endpoint.username, credential.password);
      // The subset of basic-ftp's useDefaultSettings a file upload needs: every round trip counts per file.
      features = await client.features();
      await client.send('TYPE I');
      if (endpoint.protocol === 'ftps') {
        await client.send('PBSZ 0');
        await client.send('PROT P');
      }
    } catch (e) {
      throw ftpError(e, 'signing in');
    }
  } catch (e) {
    client.close();
    throw e;
  }

  return {
    fingerprint,
    async size(path) {
      try {
        return await client.size(path);
      } catch (e) {
        if (e instanceof FTPError && e.code === 550) return undefined; // no such file
        throw ftpError(e, `checking ${path}`);
      }
    },
    async serverSha256(path) {
      try {
        if (features.has('HASH')) {
          await client.send('OPTS HASH SHA-256');
          const r = await client.send(`HASH ${path}`);
          const m = /SHA-256\s+\S+\s+([0-9a-f]{64})/i.exec(r.message);
          return m ? m[1]!.toLowerCase() : undefined;
        }
        if (features.has('XSHA256')) {
          const r = await client.send(`XSHA256 ${path}`);
          const m = /\b([0-9a-f]{64})\b/i.exec(r.message);
          return m ? m[1]!.toLowerCase() : undefined;
        }
      } catch {
        return undefined; // a server that lists HASH but fails it: fall back to reading the file
      }
      return undefined;
    },
    async read(path) {
      const out = new PassThrough();
      client.downloadTo(out, path).catch((e) => out.destroy(ftpError(e, `reading ${path}`)));
      return out;
    },
    async upload(source, path, onBytes) {
      client.trackProgress((info) => onBytes(info.bytes));
      try {
        // 1 MiB reads: fewer, larger writes to the data socket than the 64 KiB default.
        const input = Buffer.isBuffer(source) ? Readable.from(chunks(source)) : createReadStream(source.path, { highWaterMark: 1 << 20 });
        await client.uploadFrom(input, path);
      } catch (e) {
        throw ftpError(e, `uploading ${path}`);
      } finally {
        client.trackProgress();
      }
    },
    async rename(from, to) {
      try {
        await client.rename(from, to);
      } catch (e) {
        throw ftpError(e, `renaming ${from} to ${to}`);
      }
    },
    async remove(path) {
      try {
        await client.remove(path);
      } catch (e) {
        throw ftpError(e, `removing ${path}`);
      }
    },
    async close() {
      client.close();
    },
  };
}

/** Feeds a buffer in 64 KiB slices so progress moves and the socket applies back-pressure. */
function* chunks(b: Buffer): Generator<Buffer> {
  for (let i = 0; i < b.length; i += 65536) yield b.subarray(i, i + 65536);
}
