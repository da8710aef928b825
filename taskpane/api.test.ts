import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiClient, ApiError, isAbortError } from './api';

// A real HTTP server on loopback: the client is tested on the wire, not against a fake fetch.
let server: Server;
let base = '';
const seen: { url: string; auth?: string; body?: string }[] = [];

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let s = '';
    req.on('data', (c) => (s += c));
    req.on('end', () => resolve(s));
  });
}

beforeAll(async () => {
  server = createServer(async (req, res) => {
    const body = await readBody(req);
    seen.push({ url: req.url ?? '', auth: req.headers.authorization, body });
    const send = (status: number, payload: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(payload));
    };
    if (req.url === '/api/dev/sign-in') return send(200, { token: 'tok-' + JSON.parse(body).user });
    if (req.url === '/api/datasets') return send(200, { datasets: [{ id: 'cm', name: 'cm.csv' }] });
    if (req.url?.startsWith('/api/datasets/missing')) return send(404, { error: { code: 'not-found', message: 'There is no dataset called missing.' } });
    if (req.url?.startsWith('/api/datasets/cm')) return send(200, { name: 'cm.csv', header: ['A'], rows: [['1']], total: 1, offset: 0, nextOffset: null });
    if (req.url === '/api/runs') return send(401, { error: { code: 'unauthorized', message: 'The sign-in token has expired.' } });
    if (req.url === '/api/slow') return void setTimeout(() => send(200, {}), 5000);
    if (req.url === '/api/html') {
      res.writeHead(502, { 'content-type': 'text/html' });
      return res.end('<h1>Bad gateway</h1>');
    }
    send(404, { error: { code: 'not-found', message: 'Not found.' } });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

describe('ApiClient', () => {
  it('signs in and then sends the bearer token', async () => {
    let token: string | null = null;
    const api = new ApiClient({ baseUrl: base, getToken: async () => token });
    token = await api.signInWithDevIssuer('alice', 'preparer');
    expect(token).toBe('tok-alice');
    expect(JSON.parse(seen.at(-1)!.body!)).toEqual({ user: 'alice', role: 'preparer' });
    expect(await api.listDatasets()).toEqual([{ id: 'cm', name: 'cm.csv' }]);
    expect(seen.at(-1)!.auth).toBe('Bearer tok-alice');
  });

  it('asks for a page with offset and limit', async () => {
    const api = new ApiClient({ baseUrl: base });
    const page = await api.getDatasetPage('cm', 2000, 500);
    expect(page.rows).toEqual([['1']]);
    expect(seen.at(-1)!.url).toBe('/api/datasets/cm?offset=2000&limit=500');
  });

  it("turns the server's error body into an Error with the server's sentence", async () => {
    const api = new ApiClient({ baseUrl: base });
    const err = await api.getDatasetPage('missing', 0, 10).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).message).toBe('There is no dataset called missing.');
    expect((err as ApiError).status).toBe(404);
    expect((err as ApiError).code).toBe('not-found');
  });

  it('says what went wrong when the error is not JSON', async () => {
    const api = new ApiClient({ baseUrl: base });
    await expect(api.request('/api/html')).rejects.toThrow('The server answered 502 Bad Gateway.');
  });

  it('signs the user out when the server rejects the token', async () => {
    const onUnauthorized = jest.fn();
    const api = new ApiClient({ baseUrl: base, getToken: async () => 'old', onUnauthorized });
    await expect(api.listRuns()).rejects.toThrow('The sign-in token has expired.');
    expect(onUnauthorized).toHaveBeenCalledTimes(1);
  });

  it('explains an unreachable server in a sentence', async () => {
    const api = new ApiClient({ baseUrl: 'http://127.0.0.1:1' });
    await expect(api.listDatasets()).rejects.toThrow('The CloseDesk server could not be reached. Check that it is running, then try again.');
  });

  it('stops a request when its signal is aborted', async () => {
    const api = new ApiClient({ baseUrl: base });
    const c = new AbortController();
    const p = api.request('/api/slow', { signal: c.signal });
    c.abort();
    const err = await p.catch((e: unknown) => e);
    expect(isAbortError(err)).toBe(true);
  });
});
