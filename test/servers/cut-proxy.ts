/**
 * A TCP relay in front of a test server that can cut a connection after a number of bytes from the
 * client, as a network failure would. Connections are numbered from 1 in arrival order.
 */
import net from 'node:net';

export interface CutProxy {
  readonly port: number;
  readonly connections: number;
  close(): Promise<void>;
}

export async function startCutProxy(
  targetPort: number,
  /** Decide per connection: cut after this many client bytes (or undefined to relay untouched); `beforeCut` runs first (e.g. restart the server). */
  plan: (connection: number) => { cutAfter: number; beforeCut?: () => Promise<void> } | undefined,
): Promise<CutProxy> {
  let count = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const n = ++count;
    const rule = plan(n);
    const upstream = net.connect(targetPort, '127.0.0.1');
    sockets.add(client).add(upstream);
    const done = () => (client.destroy(), upstream.destroy(), sockets.delete(client), sockets.delete(upstream));
    client.on('error', done).on('close', done);
    upstream.on('error', done).on('close', done);
    upstream.pipe(client);
    let seen = 0;
    let cutting = false;
    client.on('data', (chunk: Buffer) => {
      if (cutting) return;
      if (rule && seen + chunk.length >= rule.cutAfter) {
        cutting = true;
        upstream.write(chunk.subarray(0, Math.max(0, rule.cutAfter - seen)));
        client.pause();
        void (async () => {
          // Let the server write what it got (a partial file), then fail the network.
          await new Promise((r) => setTimeout(r, 100));
          await rule.beforeCut?.();
          done();
        })();
        return;
      }
      seen += chunk.length;
      if (!upstream.write(chunk)) {
        client.pause();
        upstream.once('drain', () => client.resume());
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    get connections() {
      return count;
    },
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}
