/**
 * A TCP relay in front of a test server that misbehaves as a network or a hung peer does: it can
 * cut a connection after a number of bytes from the client, or go silent (nothing passes either
 * way, the sockets stay open) from the start or after a number of client bytes. Connections are
 * numbered from 1 in arrival order.
 */
import net from 'node:net';

export type ConnectionPlan =
  /** Relay `cutAfter` client bytes, run `beforeCut` (e.g. restart the server), then close both sides. */
  | { cutAfter: number; beforeCut?: () => Promise<void> }
  /**
   * Relay the first `silenceAfter` client bytes and the server's answers to them; from the client's
   * next byte on nothing passes either way (what the client sends is read and dropped, as a hung
   * server's kernel would) and both sockets stay open. With `silenceAfter: 'now'` the server is never
   * reached: the client is accepted and hears nothing.
   */
  | { silenceAfter: number | 'now' }
  /** Relay untouched. */
  | undefined;

export interface CutProxy {
  readonly port: number;
  readonly connections: number;
  /** Silences connection n (1-based) from now on, whatever its plan. */
  silence(n: number): void;
  /** Resolves when the client has closed connection n (1-based): a deadline on the client side fired. */
  closedByClient(n: number): Promise<void>;
  close(): Promise<void>;
}

export async function startCutProxy(targetPort: number, plan: (connection: number) => ConnectionPlan): Promise<CutProxy> {
  let count = 0;
  const sockets = new Set<net.Socket>();
  const silencers = new Map<number, () => void>();
  const closed = new Map<number, { wait: Promise<void>; resolve: () => void }>();
  const closedSlot = (n: number) => {
    let s = closed.get(n);
    if (!s) {
      let resolve!: () => void;
      const wait = new Promise<void>((r) => (resolve = r));
      s = { wait, resolve };
      closed.set(n, s);
    }
    return s;
  };
  const server = net.createServer((client) => {
    const n = ++count;
    const rule = plan(n);
    sockets.add(client);
    client.on('close', () => (sockets.delete(client), closedSlot(n).resolve()));
    client.on('error', () => undefined);
    if (rule && 'silenceAfter' in rule && rule.silenceAfter === 'now') {
      client.resume(); // read and dropped; only the client's hang-up ends it
      silencers.set(n, () => undefined);
      return;
    }
    const upstream = net.connect(targetPort, '127.0.0.1');
    sockets.add(upstream);
    let silent = false;
    const done = () => (client.destroy(), upstream.destroy(), sockets.delete(upstream));
    client.on('error', done).on('close', done);
    upstream.on('error', done).on('close', () => (silent ? sockets.delete(upstream) : done()));
    const hush = () => {
      if (silent) return;
      silent = true;
      upstream.unpipe(client);
      upstream.pause();
      client.resume(); // the data handler drops what arrives from now on
    };
    silencers.set(n, hush);
    upstream.pipe(client);
    let seen = 0;
    let cutting = false;
    client.on('data', (chunk: Buffer) => {
      if (cutting || silent) return;
      if (rule && 'silenceAfter' in rule && seen + chunk.length > (rule.silenceAfter as number)) {
        const keep = (rule.silenceAfter as number) - seen;
        if (keep > 0) upstream.write(chunk.subarray(0, keep));
        hush();
        return;
      }
      if (rule && 'cutAfter' in rule && seen + chunk.length >= rule.cutAfter) {
        cutting = true;
        client.pause();
        // Once the last relayed bytes are on their way to the server (a partial file), fail the network.
        upstream.write(chunk.subarray(0, Math.max(0, rule.cutAfter - seen)), () =>
          void (async () => {
            await rule.beforeCut?.();
            done();
          })(),
        );
        return;
      }
      seen += chunk.length;
      if (!upstream.write(chunk)) {
        client.pause();
        upstream.once('drain', () => silent || client.resume());
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    get connections() {
      return count;
    },
    silence: (n) => silencers.get(n)?.(),
    closedByClient: (n) => closedSlot(n).wait,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}
