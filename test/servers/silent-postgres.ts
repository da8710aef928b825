/**
 * A PostgreSQL-protocol peer that goes quiet, as a hung database or a half-dead network path does:
 * it accepts the TCP connection and either never answers the start-up message, or signs the
 * client in (trust) and then never answers a query. It records when a client closes its end, so
 * tests can check that an expired deadline really closed the socket.
 */
import net from 'node:net';

export interface SilentPostgres {
  readonly port: number;
  readonly url: string;
  /** Connections accepted so far. */
  readonly connections: number;
  /** Resolves when the n-th connection (1-based) has been closed by the client. */
  closedByClient(n: number): Promise<void>;
  close(): Promise<void>;
}

function message(type: string, body: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.write(type, 0, 'latin1');
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}

const int32 = (...v: number[]) => Buffer.concat(v.map((n) => Buffer.from([(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255])));
const SSL_REQUEST = 80877103;

export async function startSilentPostgres(opts: { answerStartup: boolean }): Promise<SilentPostgres> {
  const sockets = new Set<net.Socket>();
  const closed = new Map<number, { done: boolean; wait: Promise<void>; resolve: () => void }>();
  const slot = (n: number) => {
    let s = closed.get(n);
    if (!s) {
      let resolve!: () => void;
      const wait = new Promise<void>((r) => (resolve = r));
      s = { done: false, wait, resolve };
      closed.set(n, s);
    }
    return s;
  };
  let count = 0;
  const server = net.createServer((socket) => {
    const n = ++count;
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => {
      sockets.delete(socket);
      const s = slot(n);
      s.done = true;
      s.resolve();
    });
    if (!opts.answerStartup) {
      socket.resume(); // read and dropped, never answered; only the client's hang-up ends it
      return;
    }
    let buf = Buffer.alloc(0);
    let started = false;
    socket.on('data', (chunk: Buffer) => {
      if (started) return; // queries: never answered
      buf = Buffer.concat([buf, chunk]);
      if (buf.length < 8) return;
      const len = buf.readInt32BE(0);
      if (buf.length < len) return;
      const code = buf.readInt32BE(4);
      buf = buf.subarray(len);
      if (code === SSL_REQUEST) {
        socket.write('N');
        return;
      }
      started = true;
      socket.write(
        Buffer.concat([
          message('R', int32(0)), // AuthenticationOk
          message('S', Buffer.from('server_version\u000016.0\u0000', 'latin1')),
          message('K', int32(n, 12345)), // BackendKeyData
          message('Z', Buffer.from('I')), // ReadyForQuery (idle)
        ]),
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    url: `postgres://silent@127.0.0.1:${port}/silent`,
    get connections() {
      return count;
    },
    closedByClient: (n) => slot(n).wait,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}
