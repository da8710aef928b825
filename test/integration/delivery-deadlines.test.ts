/**
 * A partner server that goes silent at any phase never holds a delivery: the step fails at its
 * deadline as a transient error and the socket is closed, the batch item stays retryable with
 * nothing under the final name, and once the server answers again the retry sends the file exactly
 * once. Real servers (ftp-srv, OpenSSH sshd) behind a relay that can go quiet (test/servers).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { createSecrets } from '../../server/secrets';
import { decideBatch } from '../../server/store/batches';
import { createPartner } from '../../server/delivery/partners';
import { deliverBatch, prepareDelivery, type DeliveryDeps } from '../../server/delivery/service';
import { openSession } from '../../server/delivery/session';
import { selfSignedCertificate, startFtpServer, type TestFtpServer } from '../servers/ftp';
import { startSshd, SSHD, type TestSshd } from '../servers/sshd';
import { startCutProxy, type ConnectionPlan, type CutProxy } from '../servers/cut-proxy';
import { openTestBackend, type TestBackend } from './backends';
import { approverUser, person } from './people';

/** Short deadlines so silent phases are reached quickly (nothing here asserts how long anything took). */
const FTP_DEADLINE_MS = 3000;
const SFTP_DEADLINE_MS = 5000;
const once = { attempts: 1 };
const healthy = { attempts: 3, baseDelayMs: 50, maxDelayMs: 200 };

const tmp = (p: string) => fs.mkdtempSync(path.join(os.tmpdir(), p));
const partsIn = (dir: string) => fs.readdirSync(dir).filter((f) => f.endsWith('.part'));

let t: TestBackend;
let deps: DeliveryDeps;

beforeAll(async () => {
  t = await openTestBackend('sqlite');
  deps = { store: t.store, secrets: createSecrets(t.store, randomBytes(32)) };
});
afterAll(() => t?.cleanup());

/** Prepared by alice, approved by bob: ready to send. */
/** Random text a spreadsheet would not run (hex digits, one cell per line), so preparation keeps every byte. */
function plainCsv(size: number): Buffer {
  return Buffer.from(randomBytes(size / 2).toString('hex').replace(/(.{62})/g, '$1\r\n'), 'latin1').subarray(0, size);
}

async function approvedBatch(partnerId: string, fileName: string, content: Buffer): Promise<string> {
  const b = await prepareDelivery(deps, { job: 'chargebacks', preparedBy: person('alice'), files: [{ fileName, content, partnerId }] });
  await decideBatch(t.store, { id: b.id, version: b.version, user: approverUser('bob'), decision: 'approved' });
  return b.id;
}

/**
 * Sends the batch once while the fault is on and checks the failure; then turns the fault off and
 * sends again, checking the file arrived whole, once.
 */
async function failsThenDelivers(o: {
  batchId: string;
  inbox: string;
  fileName: string;
  content: Buffer;
  deadlineMs: number;
  phase: RegExp;
  faultOff: () => void;
  /** Relay connections that were silenced: each must have been closed by the client. */
  silenced: () => number[];
  proxy: CutProxy;
  connect?: Parameters<typeof deliverBatch>[2]['connect'];
}) {
  const first = await deliverBatch(deps, o.batchId, { actor: 'bob', retry: once, timeoutMs: o.deadlineMs, connect: o.connect });
  expect(first.batch.state).toBe('failed');
  expect(first.items[0]!.state).toBe('failed');
  expect(first.items[0]!.error).toMatch(/^\[transient\] /);
  expect(first.items[0]!.error).toMatch(/did not answer within \d+(\.\d)? s while/);
  expect(first.items[0]!.error).toMatch(o.phase);
  expect(first.receipts).toEqual([]);
  expect(fs.existsSync(path.join(o.inbox, o.fileName))).toBe(false);
  expect(o.silenced().length).toBeGreaterThan(0);
  // The expired deadline destroyed the socket: the relay sees the client hang up.
  for (const n of o.silenced()) await o.proxy.closedByClient(n);

  o.faultOff();
  const second = await deliverBatch(deps, o.batchId, { actor: 'bob', retry: healthy });
  expect(second.batch.state).toBe('done');
  expect(second.items[0]).toMatchObject({ state: 'done', error: null });
  expect(second.receipts).toHaveLength(1);
  expect(second.receipts[0]).toMatchObject({ fileName: o.fileName, bytes: o.content.length, adopted: false });
  expect(fs.readFileSync(path.join(o.inbox, o.fileName)).equals(o.content)).toBe(true);
  expect(partsIn(o.inbox)).toEqual([]);
  // Sending a done batch again changes nothing.
  const third = await deliverBatch(deps, o.batchId, { actor: 'bob', retry: healthy });
  expect(third.receipts).toHaveLength(1);
}

describe('FTP and FTPS servers that go silent', () => {
  let root: string;
  let server: TestFtpServer;
  let proxy: CutProxy;
  let partnerId: string;
  let fault: 'greeting' | 'login' | 'mid-transfer' | 'rename' | undefined;
  let silenced: number[] = [];
  const renames: string[] = [];
  const inbox = () => path.join(root, 'inbox');

  beforeAll(async () => {
    root = tmp('cd-silent-ftp-');
    fs.mkdirSync(inbox());
    server = await startFtpServer({
      root,
      users: { acq: 'pw' },
      // The server itself hangs: stops reading an upload, or never answers the rename.
      onWrite: (e) => (fault === 'mid-transfer' && e.bytes >= 1024 * 1024 ? 'stall' : undefined),
      onRename: (_from, to) => {
        if (fault === 'rename') return 'silent';
        renames.push(to);
      },
    });
    // The relay carries the control connection (data connections go to the server directly).
    proxy = await startCutProxy(server.port, (n): ConnectionPlan => {
      if (fault === 'greeting') return silenced.push(n), { silenceAfter: 'now' };
      if (fault === 'login') return silenced.push(n), { silenceAfter: 0 };
      if (fault) silenced.push(n);
      return undefined;
    });
    const p = await createPartner(deps.store, deps.secrets, { name: 'Silent FTP', protocol: 'ftp', host: '127.0.0.1', port: proxy.port, folder: 'inbox', username: 'acq', password: 'pw' }, 'admin1');
    partnerId = p.id;
  });
  afterAll(async () => {
    await proxy?.close();
    await server?.close();
  });
  beforeEach(() => {
    silenced = [];
    fault = undefined;
    for (const f of fs.readdirSync(inbox())) fs.rmSync(path.join(inbox(), f));
  });

  it.each([
    ['greeting', 'the greeting never comes', /while connecting to 127\.0\.0\.1:\d+/],
    ['login', 'the login is never answered', /while signing in/],
    ['mid-transfer', 'the server stops reading in the middle of the upload', /while uploading inbox\/\.[\w.-]+\.part/],
    ['rename', 'the rename is never answered', /while renaming inbox\/\.[\w.-]+\.part to inbox\//],
  ] as const)('%s: %s → retryable, nothing under the final name, then sent once', async (which, _what, phase) => {
    const fileName = `VISA_${which.toUpperCase()}.csv`;
    const content = plainCsv(3 * 1024 * 1024);
    const batchId = await approvedBatch(partnerId, fileName, content);
    fault = which;
    const renamesBefore = renames.length;
    await failsThenDelivers({ batchId, inbox: inbox(), fileName, content, deadlineMs: FTP_DEADLINE_MS, phase, faultOff: () => (fault = undefined), silenced: () => silenced, proxy });
    expect(renames.slice(renamesBefore)).toEqual([`inbox/${fileName}`]);
  });

  it('FTPS: the TLS handshake never completes → retryable, then sent once', async () => {
    const tlsRoot = tmp('cd-silent-ftps-');
    const cert = selfSignedCertificate(tmp('cd-silent-cert-'));
    const tlsServer = await startFtpServer({ root: tlsRoot, users: { mc: 'pw' }, tls: { key: cert.key, cert: cert.cert } });
    let quiet = true;
    const hushed: number[] = [];
    // "AUTH TLS\r\n" is 10 bytes: it and the server's 234 pass, the ClientHello goes nowhere.
    const tlsProxy = await startCutProxy(tlsServer.port, (n) => (quiet ? (hushed.push(n), { silenceAfter: 10 }) : undefined));
    try {
      const p = await createPartner(
        deps.store,
        deps.secrets,
        { name: 'Silent FTPS', protocol: 'ftps', host: '127.0.0.1', port: tlsProxy.port, folder: '', username: 'mc', password: 'pw', tlsFingerprint: cert.fingerprint256 },
        'admin1',
      );
      const content = plainCsv(256 * 1024);
      const batchId = await approvedBatch(p.id, 'MASTERCARD_TLS.csv', content);
      await failsThenDelivers({
        batchId, inbox: tlsRoot, fileName: 'MASTERCARD_TLS.csv', content, deadlineMs: FTP_DEADLINE_MS, phase: /while starting TLS/,
        faultOff: () => (quiet = false), silenced: () => hushed, proxy: tlsProxy,
      });
    } finally {
      await tlsProxy.close();
      await tlsServer.close();
    }
  });
});

const haveSshd = fs.existsSync(SSHD);
(haveSshd ? describe : describe.skip)('SFTP servers that go silent', () => {
  let sshd: TestSshd;
  let inbox: string;
  let proxy: CutProxy;
  let partnerId: string;
  let fault: 'banner' | 'mid-transfer' | undefined;
  let silenced: number[] = [];

  beforeAll(async () => {
    sshd = await startSshd(tmp('cd-silent-sshd-'));
    inbox = tmp('cd-silent-sftp-in-');
    proxy = await startCutProxy(sshd.port, (n): ConnectionPlan => {
      if (fault === 'banner') return silenced.push(n), { silenceAfter: 'now' };
      // About 1 MiB into a 3 MiB upload (the handshake and sign-in are a few KiB).
      if (fault === 'mid-transfer') return silenced.push(n), { silenceAfter: 1024 * 1024 };
      return undefined;
    });
    const p = await createPartner(
      deps.store,
      deps.secrets,
      { name: 'Silent SFTP', protocol: 'sftp', host: '127.0.0.1', port: proxy.port, folder: inbox, username: 'root', privateKey: sshd.clientKey, hostFingerprint: sshd.hostFingerprint },
      'admin1',
    );
    partnerId = p.id;
  });
  afterAll(async () => {
    await proxy?.close();
    await sshd?.stop();
  });
  beforeEach(() => {
    silenced = [];
    fault = undefined;
    for (const f of fs.readdirSync(inbox)) fs.rmSync(path.join(inbox, f));
  });

  it.each([
    ['banner', 'the SSH banner never comes', /while connecting to 127\.0\.0\.1:\d+/],
    ['mid-transfer', 'the connection goes quiet in the middle of the upload', /while uploading .*\.part/],
  ] as const)('%s: %s → retryable, nothing under the final name, then sent once', async (which, _what, phase) => {
    const fileName = `AMEX_${which.toUpperCase()}.csv`;
    const content = plainCsv(3 * 1024 * 1024);
    const batchId = await approvedBatch(partnerId, fileName, content);
    fault = which;
    await failsThenDelivers({ batchId, inbox, fileName, content, deadlineMs: SFTP_DEADLINE_MS, phase, faultOff: () => (fault = undefined), silenced: () => silenced, proxy });
  });

  it('rename: the server never answers the rename → retryable, nothing under the final name, then sent once', async () => {
    const fileName = 'AMEX_RENAME.csv';
    const content = plainCsv(1024 * 1024);
    const batchId = await approvedBatch(partnerId, fileName, content);
    // The real session, with the relay going quiet just before the rename request is sent.
    const hushed: number[] = [];
    let quietBeforeRename = true;
    await failsThenDelivers({
      batchId, inbox, fileName, content, deadlineMs: SFTP_DEADLINE_MS, phase: /while renaming .*\.part to /,
      faultOff: () => (quietBeforeRename = false), silenced: () => hushed, proxy,
      connect: async (e, c, o) => {
        const session = await openSession(e, c, o);
        const n = proxy.connections;
        return {
          ...session,
          fingerprint: session.fingerprint,
          rename: (from, to) => {
            if (quietBeforeRename) (hushed.push(n), proxy.silence(n));
            return session.rename(from, to);
          },
        };
      },
    });
  });
});
