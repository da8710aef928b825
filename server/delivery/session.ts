/**
 * One connection to a partner server, the same few verbs for FTP, FTPS and SFTP, so the upload
 * rules (temporary name, verify, rename, never overwrite) are written once in upload.ts.
 */
import type { Readable } from 'node:stream';
import type { Credential, Endpoint } from './types';
import { openFtpSession } from './ftp';
import { openSftpSession } from './sftp';

export interface RemoteSession {
  /** Fingerprint of the server's key or certificate ('' for plain FTP). */
  readonly fingerprint: string;
  /** Size in bytes, or undefined when there is no such file. */
  size(path: string): Promise<number | undefined>;
  /** SHA-256 hex computed by the server, or undefined when it cannot (most servers). */
  serverSha256(path: string): Promise<string | undefined>;
  /** Streams the remote file (to compare a file already present with ours); `bytes` is its size. */
  read(path: string, bytes: number): Promise<Readable>;
  upload(source: Buffer | { path: string }, path: string, bytes: number, onBytes: (sent: number) => void): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  remove(path: string): Promise<void>;
  close(): Promise<void>;
}

export interface SessionOptions {
  /**
   * Deadline of every step that waits on the server (connect, greeting or SSH handshake, sign-in,
   * size and hash checks, rename, remove, close), and how long a transfer may go without a byte
   * moving. An expired deadline closes the connection: a transient error, retried on a new one.
   */
  timeoutMs?: number;
}

export async function openSession(endpoint: Endpoint, credential: Credential, options: SessionOptions = {}): Promise<RemoteSession> {
  if (endpoint.protocol === 'sftp') return openSftpSession(endpoint, credential, options);
  return openFtpSession(endpoint, credential, options);
}

/** Joins the partner folder and a file name with forward slashes (remote paths are POSIX-like). */
export function remotePath(folder: string, name: string): string {
  const f = folder.trim().replace(/\\/g, '/').replace(/\/+$/, '');
  return f ? `${f}/${name}` : name;
}

/**
 * Keeps one open session per partner while a batch is sent, so consecutive files do not each pay
 * for a new connection and login. A session that failed is closed and never handed out again.
 * Every wait here is a session step with its own deadline (connect on acquire, close on release).
 */
export class SessionPool {
  private readonly idle = new Map<string, RemoteSession>();

  private key(e: Endpoint): string {
    return [e.protocol, e.host, e.port, e.username, e.hostFingerprint ?? '', e.tlsFingerprint ?? ''].join('|');
  }

  async acquire(
    endpoint: Endpoint,
    credential: Credential,
    options: SessionOptions,
    connect: (e: Endpoint, c: Credential, o: SessionOptions) => Promise<RemoteSession> = openSession,
  ): Promise<RemoteSession> {
    const k = this.key(endpoint);
    const s = this.idle.get(k);
    if (s) {
      this.idle.delete(k);
      return s;
    }
    return connect(endpoint, credential, options);
  }

  async release(endpoint: Endpoint, session: RemoteSession, healthy: boolean): Promise<void> {
    const k = this.key(endpoint);
    if (!healthy || this.idle.has(k)) return session.close();
    this.idle.set(k, session);
  }

  async closeAll(): Promise<void> {
    const all = [...this.idle.values()];
    this.idle.clear();
    await Promise.all(all.map((s) => s.close().catch(() => undefined)));
  }
}
