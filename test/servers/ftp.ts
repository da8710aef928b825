/**
 * A real FTP / FTPS (explicit TLS) server in-process (ftp-srv, test-only dependency) on 127.0.0.1,
 * with hooks to misbehave like real partner servers do: drop the connection in the middle of an
 * upload, restart, refuse writes, stop reading mid-upload, never answer a rename.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { X509Certificate } from 'node:crypto';
import { Writable } from 'node:stream';
import { FtpSrv, FileSystem, type FtpConnection } from 'ftp-srv';

export interface WriteEvent {
  /** Path as the client named it, e.g. `in/.VISA.csv.abc.part`. */
  fileName: string;
  /** Bytes written so far in this upload. */
  bytes: number;
  /** Number of uploads started so far on this server (1-based). */
  upload: number;
  connection: FtpConnection;
}

export interface FtpServerOptions {
  root: string;
  users: Record<string, string>;
  tls?: { key: string; cert: string };
  port?: number;
  /**
   * Return 'drop' to cut the control and data connections, 'restart' to restart the whole server,
   * 'stall' to stop reading the upload and never answer (a hung server; the sockets stay open).
   */
  onWrite?: (e: WriteEvent) => 'drop' | 'restart' | 'stall' | void;
  /** Return 'silent' to leave a rename (RNTO) unanswered for ever, the file not renamed. */
  onRename?: (from: string, to: string) => 'silent' | void;
  /** Paths (as the client names them) where writing is refused with "Permission denied". */
  denyWrite?: (fileName: string) => boolean;
  /** How long the server stays down on 'restart'. */
  downMs?: number;
}

export interface TestFtpServer {
  readonly port: number;
  readonly root: string;
  readonly restarts: number;
  close(): Promise<void>;
}

/** A logger that stays quiet (ftp-srv logs every command with bunyan otherwise). */
const quiet: Record<string, unknown> = {};
for (const m of ['trace', 'debug', 'info', 'warn', 'error', 'fatal']) quiet[m] = () => undefined;
quiet.child = () => quiet;

class HookedFs extends FileSystem {
  constructor(
    connection: FtpConnection,
    root: string,
    private readonly hooks: { opts: FtpServerOptions; nextUpload: () => number; restart: () => void },
  ) {
    super(connection, { root, cwd: '/' });
  }

  override write(fileName: string, options?: { append?: boolean; start?: unknown }) {
    const { opts } = this.hooks;
    if (opts.denyWrite?.(fileName)) {
      const e = new Error('Permission denied') as Error & { code: number };
      e.code = 550;
      throw e;
    }
    const inner = super.write(fileName, options) as { stream: fs.WriteStream; clientPath: string };
    if (!opts.onWrite) return inner;
    const upload = this.hooks.nextUpload();
    let bytes = 0;
    let stopped = false;
    const connection = this.connection;
    const hooked = new Writable({
      write: (chunk: Buffer, _enc, cb) => {
        if (stopped) return cb();
        bytes += chunk.length;
        inner.stream.write(chunk, (err) => {
          if (err) return cb(err);
          const action = opts.onWrite!({ fileName, bytes, upload, connection });
          if (action === 'drop') {
            stopped = true;
            // Like a network cut: both sockets go away without a reply.
            (connection as unknown as { connector: { socket?: { destroy(): void } } }).connector.socket?.destroy();
            (connection as unknown as { commandSocket: { destroy(): void } }).commandSocket.destroy();
          } else if (action === 'restart') {
            stopped = true;
            this.hooks.restart();
          } else if (action === 'stall') {
            // Never completing this write stops the socket being read: the client's sends back up.
            return;
          }
          cb();
        });
      },
      final: (cb) => inner.stream.end(cb),
    });
    return { stream: hooked, clientPath: inner.clientPath };
  }

  override rename(from: string, to: string) {
    if (this.hooks.opts.onRename?.(from, to) === 'silent') return new Promise<never>(() => undefined);
    return super.rename(from, to);
  }
}

export async function startFtpServer(opts: FtpServerOptions): Promise<TestFtpServer> {
  let uploads = 0;
  let restarts = 0;
  let current: FtpSrv;
  let port = opts.port ?? 0;
  let restarting: Promise<void> | undefined;

  const make = async (): Promise<FtpSrv> => {
    const signals = ['SIGTERM', 'SIGINT', 'SIGQUIT'] as const;
    const before = new Map(signals.map((sig) => [sig, new Set(process.listeners(sig))]));
    const srv = new FtpSrv({
      url: `ftp://127.0.0.1:${port}`,
      pasv_url: '127.0.0.1',
      pasv_min: 20000 + Math.floor(Math.random() * 20000),
      anonymous: false,
      tls: opts.tls ? { key: opts.tls.key, cert: opts.tls.cert } : false,
      log: quiet as never,
    });
    // ftp-srv registers process-wide signal handlers that exit the process; tests do not want that.
    for (const sig of signals) for (const l of process.listeners(sig)) if (!before.get(sig)!.has(l)) process.removeListener(sig, l);
    srv.on('login', ({ connection, username, password }, resolve, reject) => {
      if (opts.users[username] !== undefined && opts.users[username] === password) {
        resolve({ fs: new HookedFs(connection, opts.root, { opts, nextUpload: () => ++uploads, restart }) });
      } else reject(new Error('Invalid user name or password'));
    });
    srv.on('client-error', () => undefined);
    await srv.listen();
    port = ((srv as unknown as { server: { address(): { port: number } } }).server.address()).port;
    return srv;
  };

  const restart = () => {
    if (restarting) return;
    restarts++;
    const old = current;
    restarting = (async () => {
      await old.close();
      await new Promise((r) => setTimeout(r, opts.downMs ?? 300));
      current = await make();
    })().finally(() => (restarting = undefined));
  };

  current = await make();
  return {
    get port() {
      return port;
    },
    root: opts.root,
    get restarts() {
      return restarts;
    },
    async close() {
      await restarting;
      await current.close();
    },
  };
}

/** A self-signed certificate for 127.0.0.1 made with openssl, and its SHA-256 fingerprint. */
export function selfSignedCertificate(dir: string): { key: string; cert: string; fingerprint256: string } {
  const key = path.join(dir, 'tls.key');
  const cert = path.join(dir, 'tls.crt');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '2',
    '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
  ], { stdio: 'ignore' });
  const pem = fs.readFileSync(cert, 'utf8');
  return { key: fs.readFileSync(key, 'utf8'), cert: pem, fingerprint256: new X509Certificate(pem).fingerprint256 };
}
