/**
 * SFTP through ssh2-sftp-client, with the server's host key pinned: an unknown or changed key is
 * refused during the handshake, before any credential or byte is sent.
 *
 * We open the TCP socket ourselves and hand it to ssh2, so a deadline can always destroy it:
 * ssh2's readyTimeout ends with the handshake, and nothing in ssh2 bounds a request (stat, write,
 * rename, close) the server never answers while it still answers keep-alives.
 */
import { createHash } from 'node:crypto';
import net from 'node:net';
import { PassThrough, Readable, Transform, pipeline } from 'node:stream';
import SftpClient from 'ssh2-sftp-client';
import type { SFTPWrapper } from 'ssh2';
import { DeadlineExceeded, withDeadline } from '../deadline';
import type { RemoteSession, SessionOptions } from './session';
import { DEFAULT_TIMEOUT_MS, DeliveryError, deadlineError, transferDeadline, type Credential, type Endpoint } from './types';

/** `SHA256:<base64 without padding>` of a raw SSH public key blob, the form `ssh-keygen -lf` prints. */
export function sshFingerprint(keyBlob: Buffer): string {
  return 'SHA256:' + createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '');
}

export function sftpError(err: unknown, doing: string): DeliveryError {
  if (err instanceof DeliveryError) return err;
  if (err instanceof DeadlineExceeded) return deadlineError('SFTP', err);
  const e = err as { code?: number | string; message?: string; level?: string };
  const msg = String(e?.message ?? err);
  if (e?.level === 'client-authentication' || /authentication methods failed/i.test(msg))
    return new DeliveryError('auth', 'The SFTP server refused the login; check the user name and the password or private key.', msg);
  if (e?.code === 3 || /permission denied/i.test(msg))
    return new DeliveryError('permission', `The SFTP server refused ${doing}: permission denied. Check that the account may write to this folder.`, msg);
  if (/read.only/i.test(msg) || (e?.code === 4 && /rename/i.test(doing)))
    return new DeliveryError('permission', `The SFTP server refused ${doing}: ${msg}.`, msg);
  if (/privateKey|parse/i.test(msg) && /key/i.test(msg))
    return new DeliveryError('config', `The private key stored for this partner cannot be read: ${msg}.`, msg);
  return new DeliveryError('transient', `The SFTP connection failed while ${doing}: ${msg}.`, msg);
}

export async function openSftpSession(endpoint: Endpoint, credential: Credential, options: SessionOptions): Promise<RemoteSession> {
  const pin = endpoint.hostFingerprint?.trim();
  if (!pin) {
    throw new DeliveryError(
      'host-key',
      `No host key is pinned for ${endpoint.host}; CloseDesk does not connect to an unknown SFTP server. Ask the partner for its key fingerprint (ssh-keygen -lf) and save it in the partner settings.`,
    );
  }
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  // The library logs unexpected end/close events to the console by default; errors surface through our calls.
  const quiet = () => undefined;
  const client = new SftpClient('closedesk', { error: quiet, end: quiet, close: quiet });
  const sock = net.connect({ host: endpoint.host, port: endpoint.port });
  sock.on('error', quiet); // reported through ssh2
  const kill = () => sock.destroy();
  /** One remote step under its deadline; `transfer` makes it a transfer of that size. */
  const step = <T>(doing: string, op: () => Promise<T>, transfer?: { bytes: number; moved: () => number }): Promise<T> =>
    withDeadline(timeoutMs, doing, kill, op, transfer ? transferDeadline(timeoutMs, transfer.bytes, transfer.moved) : {}).catch((e: unknown) => {
      throw sftpError(e, doing);
    });
  let wire: SFTPWrapper;
  let seen = '';
  try {
    wire = await withDeadline(timeoutMs, `connecting to ${endpoint.host}:${endpoint.port} (SSH handshake, sign-in, SFTP channel)`, kill, () =>
      client.connect({
        sock,
        username: endpoint.username,
        ...('password' in credential ? { password: credential.password } : { privateKey: credential.privateKey, passphrase: credential.passphrase }),
        // The deadline around this call is the handshake's only clock (0: no ssh2 readyTimeout racing it).
        readyTimeout: 0,
        // Keep-alives notice a connection that died while idle between steps; during a step its
        // deadline (shorter than three missed keep-alives) is what ends it.
        keepaliveInterval: timeoutMs,
        keepaliveCountMax: 3,
        // AES-GCM first: hardware-accelerated in Node's crypto, measured faster here than ssh2's ChaCha20 default.
        algorithms: { cipher: ['aes128-gcm@openssh.com', 'aes256-gcm@openssh.com', 'chacha20-poly1305@openssh.com', 'aes128-ctr', 'aes256-ctr'] },
        hostVerifier: (key: Buffer | string) => {
          seen = Buffer.isBuffer(key) ? sshFingerprint(key) : String(key);
          return seen === pin;
        },
      }),
    );
  } catch (e) {
    kill();
    if (seen && seen !== pin) {
      throw new DeliveryError(
        'host-key',
        `The SFTP server ${endpoint.host} presented host key ${seen}, not the pinned ${pin}; nothing was sent. If the partner changed its key, update the pin after checking with them.`,
      );
    }
    throw sftpError(e, `connecting to ${endpoint.host}:${endpoint.port}`);
  }

  return {
    fingerprint: seen,
    async size(path) {
      try {
        const st = await withDeadline(timeoutMs, `checking the size of ${path}`, kill, () => client.stat(path));
        return st.size;
      } catch (e) {
        const code = (e as { code?: unknown }).code;
        if (!(e instanceof DeadlineExceeded) && (code === 2 || code === 'ENOENT' || /no such file/i.test(String((e as Error).message)))) return undefined;
        throw sftpError(e, `checking the size of ${path}`);
      }
    },
    async serverSha256() {
      // OpenSSH offers no hashing extension; the caller falls back to reading the file.
      return undefined;
    },
    async read(path, bytes) {
      let moved = 0;
      const counted = new Transform({
        transform(chunk: Buffer, _enc, cb) {
          moved += chunk.length;
          cb(null, chunk);
        },
      });
      const out = new PassThrough();
      const source = client.createReadStream(path) as unknown as Readable;
      step(`reading ${path}`, () => new Promise<void>((resolve, reject) => pipeline(source, counted, out, (e) => (e ? reject(e) : resolve()))), {
        bytes,
        moved: () => moved,
      }).catch((e) => out.destroy(e as Error));
      return out;
    },
    async upload(source, path, bytes, onBytes) {
      let moved = 0;
      const progress = (n: number) => {
        moved = n;
        onBytes(n);
      };
      await step(
        `uploading ${path}`,
        async () => {
          if (Buffer.isBuffer(source)) {
            // Raw requests do not fail by themselves when the connection drops: race them against its end.
            let onLost: (e?: Error) => void = () => undefined;
            const lost = new Promise<never>((_, reject) => {
              onLost = (e?: Error) => reject(e instanceof Error ? e : new Error('The connection was closed during the upload'));
            });
            for (const ev of ['close', 'end', 'error'] as const) client.on(ev, onLost);
            try {
              await Promise.race([writeInParallel(wire, path, source, progress, writePlan(wire)), lost]);
            } finally {
              for (const ev of ['close', 'end', 'error'] as const) client.removeListener(ev, onLost);
              lost.catch(() => undefined);
            }
          } else {
            // Large files: parallel requests in flight (the same technique as OpenSSH's sftp client).
            const plan = writePlan(wire);
            await client.fastPut(source.path, path, {
              concurrency: plan.inflight,
              chunkSize: plan.chunk,
              step: (total: number) => progress(total),
            } as never);
          }
        },
        { bytes, moved: () => moved },
      );
    },
    async rename(from, to) {
      // Plain SFTP rename fails when the target exists, which is what we want (never overwrite).
      await step(`renaming ${from} to ${to}`, () => client.rename(from, to));
    },
    async remove(path) {
      await step(`removing ${path}`, () => client.delete(path));
    },
    async close() {
      await withDeadline(timeoutMs, 'closing the connection', kill, () => client.end()).catch(kill);
    },
  };
}

/** The SSH channel window ssh2 and OpenSSH use: what can be in flight before the server acknowledges. */
const CHANNEL_WINDOW = 2 << 20;

/**
 * Write size and requests in flight for an upload: the largest write the server takes (OpenSSH
 * announces ~256 KiB with limits@openssh.com; every server takes 32 KiB), and enough of them to
 * fill the channel window. On loopback 8 × 254 KiB ran 1.2–1.3× faster than 64 × 32 KiB. ssh2 has
 * no public getter for the size it negotiated, so it is read defensively; a server that did not
 * announce more gets 64 × 32 KiB (ssh2 would otherwise split bigger writes into sequential ones).
 */
function writePlan(sftp: SFTPWrapper): { chunk: number; inflight: number } {
  const negotiated = (sftp as unknown as { _maxWriteLen?: unknown })._maxWriteLen;
  const chunk = typeof negotiated === 'number' && negotiated > 32768 ? Math.min(negotiated, 256 << 10) : 32768;
  return { chunk, inflight: Math.max(1, Math.min(64, Math.ceil(CHANNEL_WINDOW / chunk))) };
}

/**
 * Writes a buffer with many requests in flight, as OpenSSH's sftp client does; one request at a
 * time would wait a round trip per write.
 */
function writeInParallel(sftp: SFTPWrapper, path: string, data: Buffer, onBytes: (n: number) => void, plan: { chunk: number; inflight: number }): Promise<void> {
  const { chunk, inflight } = plan;
  return new Promise((resolve, reject) => {
    sftp.open(path, 'w', (err, handle) => {
      if (err) return reject(err);
      let next = 0;
      let active = 0;
      let sent = 0;
      let failed: Error | undefined;
      const finish = () =>
        sftp.close(handle, (closeErr) => (failed ? reject(failed) : closeErr ? reject(closeErr) : resolve()));
      const pump = () => {
        while (!failed && active < inflight && next < data.length) {
          const at = next;
          const len = Math.min(chunk, data.length - at);
          next += len;
          active++;
          sftp.write(handle, data, at, len, at, (e) => {
            active--;
            if (e) failed ??= e;
            else {
              sent += len;
              onBytes(sent);
            }
            if (active === 0 && (failed || next >= data.length)) finish();
            else pump();
          });
        }
      };
      if (data.length === 0) finish();
      else pump();
    });
  });
}
