/**
 * Every Zoho call has a hard deadline. Against a server that accepts the connection and then says
 * nothing (or sends headers and stalls the body), the client's call returns with an "outcome
 * unknown" error, the server sees the socket closed, and the attempt's deadline was announced
 * before it left. Same for the token endpoint. No timing thresholds: the bound is that the call
 * returns at all (jest's timeout is far above the deadlines used here).
 */
import net from 'node:net';
import { ZohoClient, type Attempt } from '../../server/zoho/client';
import { SimulatedClock } from '../../server/zoho/clock';
import { ZohoError } from '../../server/zoho/errors';
import { ZohoLimiter } from '../../server/zoho/limiter';
import { exchangeGrantCode, TokenManager } from '../../server/zoho/token';

/**
 * A TCP server that accepts and never answers (or answers only the status line and headers).
 * `requests` are the connections a request arrived on. fetch's pool may also open a connection
 * that never carries a request (when a retry follows an abort at once); it has nothing in flight,
 * is closed by the pool when idle, and is not counted.
 */
async function silentServer(mode: 'nothing' | 'headers-only' = 'nothing') {
  const sockets: { socket: net.Socket; received: () => string; closed: Promise<void> }[] = [];
  const server = net.createServer((socket) => {
    let data = '';
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.on('data', (chunk) => {
      data += chunk.toString('latin1');
      if (mode === 'headers-only' && data.includes('\r\n\r\n') && !socket.writableEnded) socket.write('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"code":');
    });
    socket.on('error', () => undefined);
    sockets.push({ socket, received: () => data, closed });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  return {
    url,
    requests: () => sockets.filter((s) => s.received() !== ''),
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.socket.destroy();
        server.close(() => r());
      }),
  };
}

function fixedTokens(): TokenManager {
  const t = new TokenManager({ accounts: 'http://127.0.0.1:1', credentials: async () => ({ clientId: '', clientSecret: '', refreshToken: '' }) });
  t.token = async () => ({ accessToken: 'token', expiresAt: Date.now() + 3600_000 });
  return t;
}

const journal = {
  journal_date: '2026-01-20',
  reference_number: 'S-1',
  line_items: [
    { account_id: '460000000000000001', debit_or_credit: 'debit' as const, amount: 1 },
    { account_id: '460000000000000002', debit_or_credit: 'credit' as const, amount: 1 },
  ],
};

describe('Zoho client deadlines', () => {
  for (const mode of ['nothing', 'headers-only'] as const) {
    it(`a write to a server that ${mode === 'nothing' ? 'never answers' : 'sends headers and then stalls'} fails as "outcome unknown" at its announced deadline, with the socket closed`, async () => {
      const srv = await silentServer(mode);
      try {
        const client = new ZohoClient({ apiBase: `${srv.url}/books/v3`, organizationId: '1', tokens: fixedTokens(), timeoutMs: 300, limiter: new ZohoLimiter({ perMinute: 1e6 }) });
        const announced: Attempt[] = [];
        const e = (await client.post('/journals', journal, undefined, { onSend: (a) => void announced.push(a) }).catch((x: unknown) => x)) as ZohoError;
        expect(e).toBeInstanceOf(ZohoError);
        expect(e.kind).toBe('uncertain');
        expect(e.details.timedOut).toBe(true);
        expect(e.message).toContain('no answer within 300 ms');
        // A write is never retried blindly: one attempt, announced before it left, its deadline on the error.
        expect(announced).toHaveLength(1);
        expect(announced[0]).toMatchObject({ method: 'POST', path: '/journals' });
        expect(announced[0]!.deadline - announced[0]!.sentAt).toBe(300);
        expect({ sentAt: e.details.sentAt, deadline: e.details.deadline }).toEqual({ sentAt: announced[0]!.sentAt, deadline: announced[0]!.deadline });
        // The server got the request, and the client hung up on it.
        expect(srv.requests()).toHaveLength(1);
        expect(srv.requests()[0]!.received()).toContain('POST /books/v3/journals?organization_id=1');
        await srv.requests()[0]!.closed;
      } finally {
        await srv.close();
      }
    });
  }

  it('a read is retried a bounded number of times, each attempt with its own deadline and closed socket', async () => {
    const srv = await silentServer();
    try {
      const client = new ZohoClient({ apiBase: `${srv.url}/books/v3`, organizationId: '1', tokens: fixedTokens(), timeoutMs: 200, maxReadRetries: 2, clock: new SimulatedClock(), limiter: new ZohoLimiter({ perMinute: 1e6 }) });
      const announced: Attempt[] = [];
      const e = (await client.get('/journals', { reference_number: 'S-1' }, { onSend: (a) => void announced.push(a) }).catch((x: unknown) => x)) as ZohoError;
      expect(e).toMatchObject({ kind: 'uncertain', details: { timedOut: true } });
      expect(announced).toHaveLength(3);
      expect(srv.requests()).toHaveLength(3);
      await Promise.all(srv.requests().map((s) => s.closed));
    } finally {
      await srv.close();
    }
  });

  it('an attempt whose deadline passed while the caller recorded it is not sent at all', async () => {
    const srv = await silentServer();
    try {
      const client = new ZohoClient({ apiBase: `${srv.url}/books/v3`, organizationId: '1', tokens: fixedTokens(), timeoutMs: 50, limiter: new ZohoLimiter({ perMinute: 1e6 }) });
      const slowRecord = (a: Attempt) => new Promise<void>((r) => setTimeout(r, a.deadline - Date.now() + 20));
      const e = (await client.post('/journals', journal, undefined, { onSend: slowRecord }).catch((x: unknown) => x)) as ZohoError;
      expect(e).toMatchObject({ kind: 'uncertain', details: { timedOut: true } });
      expect(e.message).toContain('was not sent');
      expect(srv.requests()).toHaveLength(0);
    } finally {
      await srv.close();
    }
  });

  it('refreshing the access token against a silent sign-in server gives up as "outcome unknown", every socket closed', async () => {
    const srv = await silentServer();
    try {
      const tokens = new TokenManager({ accounts: srv.url, timeoutMs: 200, clock: new SimulatedClock(), credentials: async () => ({ clientId: 'c', clientSecret: 's', refreshToken: 'r' }) });
      const client = new ZohoClient({ apiBase: `${srv.url}/books/v3`, organizationId: '1', tokens, timeoutMs: 200, limiter: new ZohoLimiter({ perMinute: 1e6 }) });
      const e = (await client.get('/contacts').catch((x: unknown) => x)) as ZohoError;
      expect(e).toBeInstanceOf(ZohoError);
      expect(e).toMatchObject({ kind: 'uncertain', details: { timedOut: true } });
      expect(e.message).toContain('sign-in server');
      expect(tokens.refreshCount).toBe(5);
      expect(srv.requests()).toHaveLength(5);
      expect(srv.requests().every((s) => s.received().startsWith('POST /oauth/v2/token'))).toBe(true);
      await Promise.all(srv.requests().map((s) => s.closed));
    } finally {
      await srv.close();
    }
  });

  it('exchanging a grant code against a silent sign-in server fails with the same kind, socket closed', async () => {
    const srv = await silentServer();
    try {
      const e = (await exchangeGrantCode(srv.url, { clientId: 'c', clientSecret: 's', code: 'g', timeoutMs: 200 }).catch((x: unknown) => x)) as ZohoError;
      expect(e).toMatchObject({ kind: 'uncertain', details: { timedOut: true } });
      expect(srv.requests()).toHaveLength(1);
      await srv.requests()[0]!.closed;
    } finally {
      await srv.close();
    }
  });
});
