/** The batcher against a real HTTP server on 127.0.0.1 that records each request it gets. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { BackendCallError, createBackendBatcher, type BatchCall, type BatchResult } from './backend-batch';

interface Received {
  headers: http.IncomingHttpHeaders;
  calls: BatchCall[];
}

let server: http.Server;
let url: string;
let received: Received[];
/** How the server answers a request; tests replace it. */
let answer: (calls: BatchCall[]) => { status: number; body: unknown };

const double = (calls: BatchCall[]) => ({
  status: 200,
  body: {
    results: calls.map<BatchResult>((c) =>
      c.fn === 'DOUBLE' ? { id: c.id, ok: true, value: Number(c.args[0]) * 2 } : { id: c.id, ok: false, message: `${c.fn} is unknown.` },
    ),
  },
});

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let text = '';
    req.on('data', (d: Buffer) => (text += d.toString('utf8')));
    req.on('end', () => {
      const { calls } = JSON.parse(text) as { calls: BatchCall[] };
      received.push({ headers: req.headers, calls });
      const { status, body } = answer(calls);
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/functions/batch`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  received = [];
  answer = double;
});

/** A scheduler the test triggers by hand: no timing in the assertions. */
function manualSchedule() {
  const pending: (() => void)[] = [];
  return {
    schedule: (send: () => void) => void pending.push(send),
    fire: () => pending.splice(0).forEach((send) => send()),
    count: () => pending.length,
  };
}

describe('createBackendBatcher', () => {
  it('sends the calls of one recalculation in one POST and settles each with its own result', async () => {
    const s = manualSchedule();
    const batcher = createBackendBatcher({ url, schedule: s.schedule });
    const results = [batcher.call('DOUBLE', [1]), batcher.call('DOUBLE', [20]), batcher.call('DOUBLE', [300])];
    expect(s.count()).toBe(1);
    s.fire();
    await expect(Promise.all(results)).resolves.toEqual([2, 40, 600]);
    expect(received).toHaveLength(1);
    expect(received[0]!.calls.map((c) => [c.fn, c.args])).toEqual([
      ['DOUBLE', [1]],
      ['DOUBLE', [20]],
      ['DOUBLE', [300]],
    ]);
    expect(received[0]!.headers['content-type']).toBe('application/json');
  });

  it('batches with its own timer by default and starts a new batch after sending', async () => {
    const batcher = createBackendBatcher({ url, windowMs: 0 });
    await expect(Promise.all([batcher.call('DOUBLE', [2]), batcher.call('DOUBLE', [3])])).resolves.toEqual([4, 6]);
    await expect(batcher.call('DOUBLE', [4])).resolves.toBe(8);
    expect(received.map((r) => r.calls.length)).toEqual([2, 1]);
  });

  it('rejects only the call the server refused', async () => {
    const s = manualSchedule();
    const batcher = createBackendBatcher({ url, schedule: s.schedule });
    const good = batcher.call('DOUBLE', [5]);
    const bad = batcher.call('TRIPLE', [5]);
    s.fire();
    await expect(good).resolves.toBe(10);
    await expect(bad).rejects.toEqual(new BackendCallError('TRIPLE is unknown.'));
  });

  it('rejects every call with the server’s sentence when the request fails', async () => {
    answer = () => ({ status: 401, body: { error: { code: 'unauthorized', message: 'Sign in to CloseDesk again.' } } });
    const s = manualSchedule();
    const batcher = createBackendBatcher({ url, schedule: s.schedule });
    const calls = [batcher.call('DOUBLE', [1]), batcher.call('DOUBLE', [2])];
    s.fire();
    for (const c of calls) await expect(c).rejects.toThrow('Sign in to CloseDesk again.');
  });

  it('rejects a call the answer leaves out, and an unreadable answer', async () => {
    answer = (calls) => ({ status: 200, body: { results: [{ id: calls[0]!.id, ok: true, value: 'x' }] } });
    const s = manualSchedule();
    const batcher = createBackendBatcher({ url, schedule: s.schedule });
    const [a, b] = [batcher.call('DOUBLE', [1]), batcher.call('LOOKUP', [2])];
    s.fire();
    await expect(a).resolves.toBe('x');
    await expect(b).rejects.toThrow('The CloseDesk server did not answer the LOOKUP call.');
    answer = () => ({ status: 200, body: { nothing: true } });
    const c = batcher.call('DOUBLE', [1]);
    s.fire();
    await expect(c).rejects.toThrow('The CloseDesk server sent an unreadable answer.');
  });

  it('says the server could not be reached when nothing listens', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const batcher = createBackendBatcher({ url: `http://127.0.0.1:${port}/api/functions/batch`, windowMs: 0 });
    await expect(batcher.call('DOUBLE', [1])).rejects.toThrow(/^The CloseDesk server could not be reached: /);
  });

  it('sends the caller’s headers and splits very large batches', async () => {
    const s = manualSchedule();
    const batcher = createBackendBatcher({
      url,
      schedule: s.schedule,
      maxCallsPerRequest: 2,
      headers: async () => ({ authorization: 'Bearer abc' }),
    });
    const calls = [1, 2, 3, 4, 5].map((n) => batcher.call('DOUBLE', [n]));
    s.fire();
    await expect(Promise.all(calls)).resolves.toEqual([2, 4, 6, 8, 10]);
    expect(received.map((r) => r.calls.length).sort()).toEqual([1, 2, 2]);
    expect(received.every((r) => r.headers.authorization === 'Bearer abc')).toBe(true);
  });
});
