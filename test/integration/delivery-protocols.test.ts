/**
 * sendFile against real servers on 127.0.0.1: ftp-srv (FTP and FTPS with explicit TLS) in-process,
 * and Debian's OpenSSH sshd started by the test.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { selfSignedCertificate, startFtpServer, type TestFtpServer } from '../servers/ftp';
import { startSshd, SSHD, type TestSshd } from '../servers/sshd';
import { startCutProxy } from '../servers/cut-proxy';
import { describeLocalFile, fileFromBuffer, sendFile, temporaryName } from '../../server/delivery/upload';
import { sshFingerprint } from '../../server/delivery/sftp';
import { probeServerFingerprint } from '../../server/delivery/probe';
import { DeliveryError, type Credential, type Endpoint } from '../../server/delivery/types';

const retry = { attempts: 6, baseDelayMs: 100, maxDelayMs: 800 };
const tmp = (p: string) => fs.mkdtempSync(path.join(os.tmpdir(), p));
const partsIn = (dir: string) => fs.readdirSync(dir).filter((f) => f.endsWith('.part'));

async function refused(p: Promise<unknown>): Promise<DeliveryError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(DeliveryError);
    return e as DeliveryError;
  }
  throw new Error('expected the delivery to be refused');
}

describe('FTP (ftp-srv in-process)', () => {
  let root: string;
  let server: TestFtpServer;
  let onWrite: Parameters<typeof startFtpServer>[0]['onWrite'];
  let deny = (_: string) => false;
  const endpoint = (): Endpoint => ({ protocol: 'ftp', host: '127.0.0.1', port: server.port, username: 'visa', folder: 'in' });
  const cred: Credential = { password: 's3cret' };

  beforeAll(async () => {
    root = tmp('cd-ftp-');
    fs.mkdirSync(path.join(root, 'in'));
    server = await startFtpServer({ root, users: { visa: 's3cret' }, onWrite: (e) => onWrite?.(e), denyWrite: (f) => deny(f) });
  });
  afterAll(() => server.close());
  beforeEach(() => {
    onWrite = undefined;
    deny = () => false;
    for (const f of fs.readdirSync(path.join(root, 'in'))) fs.rmSync(path.join(root, 'in', f));
  });

  it('uploads under a temporary name, verifies the size, renames, and returns a receipt', async () => {
    const file = fileFromBuffer('VISA_M1_20261121_B1.csv', randomBytes(3 * 1024 * 1024));
    const names: string[] = [];
    onWrite = (e) => void (e.bytes === Math.min(65536, e.bytes) && names.push(e.fileName));
    const receipt = await sendFile(endpoint(), cred, file, { retry, timeoutMs: 5000 });
    expect(fs.readFileSync(path.join(root, 'in', file.fileName)).equals(file.data as Buffer)).toBe(true);
    expect(names[0]).toBe(`in/${temporaryName(file.fileName, file.sha256)}`);
    expect(partsIn(path.join(root, 'in'))).toEqual([]);
    expect(receipt).toMatchObject({
      fileName: file.fileName, remotePath: `in/${file.fileName}`, bytes: file.bytes, sha256: file.sha256, protocol: 'ftp',
      serverFingerprint: '', verifiedBy: 'size', adopted: false, attempts: 1,
    });
  });

  it('a connection dropped mid-upload is retried and never leaves a partial file under the final name', async () => {
    const file = fileFromBuffer('MC.csv', randomBytes(4 * 1024 * 1024));
    const seenAtDrop: { finalExists: boolean; partialBytes: number }[] = [];
    onWrite = (e) => {
      if (seenAtDrop.length === 0 && e.bytes >= 1024 * 1024) {
        seenAtDrop.push({
          finalExists: fs.existsSync(path.join(root, 'in', file.fileName)),
          partialBytes: fs.statSync(path.join(root, e.fileName)).size,
        });
        return 'drop';
      }
    };
    const receipt = await sendFile(endpoint(), cred, file, { retry, timeoutMs: 5000 });
    expect(seenAtDrop).toHaveLength(1);
    expect(seenAtDrop[0]!.finalExists).toBe(false);
    expect(seenAtDrop[0]!.partialBytes).toBeLessThan(file.bytes);
    expect(receipt.attempts).toBe(2);
    expect(fs.readFileSync(path.join(root, 'in', file.fileName)).equals(file.data as Buffer)).toBe(true);
    expect(partsIn(path.join(root, 'in'))).toEqual([]);
  });

  it('a file on disk (several read slices, an odd size) arrives byte for byte under its final name', async () => {
    const content = randomBytes(2 * 1024 * 1024 + 12345);
    const local = path.join(tmp('cd-ftp-src-'), 'TSYS.csv');
    fs.writeFileSync(local, content);
    const receipt = await sendFile(endpoint(), cred, await describeLocalFile(local, 'TSYS.csv'), { retry, timeoutMs: 5000 });
    expect(receipt).toMatchObject({ bytes: content.length, verifiedBy: 'size', adopted: false, attempts: 1 });
    expect(fs.readFileSync(path.join(root, 'in', 'TSYS.csv')).equals(content)).toBe(true);
    expect(partsIn(path.join(root, 'in'))).toEqual([]);
  });

  it('a file on disk whose connection drops mid-upload is sent again whole, never partial under the final name', async () => {
    const content = randomBytes(4 * 1024 * 1024 + 777);
    const local = path.join(tmp('cd-ftp-src-'), 'ELAN.csv');
    fs.writeFileSync(local, content);
    let drops = 0;
    onWrite = (e) => {
      if (drops === 0 && e.bytes >= 1024 * 1024) {
        drops++;
        expect(fs.existsSync(path.join(root, 'in', 'ELAN.csv'))).toBe(false);
        return 'drop';
      }
    };
    const receipt = await sendFile(endpoint(), cred, await describeLocalFile(local, 'ELAN.csv'), { retry, timeoutMs: 5000 });
    expect(drops).toBe(1);
    expect(receipt.attempts).toBe(2);
    expect(fs.readFileSync(path.join(root, 'in', 'ELAN.csv')).equals(content)).toBe(true);
    expect(partsIn(path.join(root, 'in'))).toEqual([]);
  });

  it('an empty .part left by a sender killed as it began (the server answers its SIZE with no number) is replaced', async () => {
    const file = fileFromBuffer('DISC.csv', randomBytes(256 * 1024));
    fs.writeFileSync(path.join(root, 'in', temporaryName(file.fileName, file.sha256)), '');
    const receipt = await sendFile(endpoint(), cred, file, { retry, timeoutMs: 5000 });
    expect(receipt.attempts).toBe(1);
    expect(fs.readFileSync(path.join(root, 'in', file.fileName)).equals(file.data as Buffer)).toBe(true);
    expect(partsIn(path.join(root, 'in'))).toEqual([]);
  });

  it('an empty file already under the final name is a different file: never overwritten', async () => {
    fs.writeFileSync(path.join(root, 'in', 'JCB.csv'), '');
    const err = await refused(sendFile(endpoint(), cred, fileFromBuffer('JCB.csv', Buffer.from('ours')), { retry, timeoutMs: 5000 }));
    expect(err.kind).toBe('conflict');
    expect(fs.readFileSync(path.join(root, 'in', 'JCB.csv'), 'utf8')).toBe('');
  });

  it('survives the server restarting during the upload', async () => {
    const file = fileFromBuffer('AMEX.csv', randomBytes(4 * 1024 * 1024));
    const restartsBefore = server.restarts;
    onWrite = (e) => (e.bytes >= 1024 * 1024 && server.restarts === restartsBefore ? 'restart' : undefined);
    const receipt = await sendFile(endpoint(), cred, file, { retry, timeoutMs: 5000 });
    expect(server.restarts).toBe(restartsBefore + 1);
    expect(receipt.attempts).toBeGreaterThan(1);
    expect(fs.readFileSync(path.join(root, 'in', file.fileName)).equals(file.data as Buffer)).toBe(true);
  });

  it('a wrong password is refused without retrying', async () => {
    const attempts: number[] = [];
    const err = await refused(sendFile(endpoint(), { password: 'nope' }, fileFromBuffer('X.csv', Buffer.from('a')), { retry, timeoutMs: 5000, onRetry: (n) => attempts.push(n) }));
    expect(err.kind).toBe('auth');
    expect(err.message).toMatch(/refused the login/);
    expect(attempts).toEqual([]);
    expect(fs.readdirSync(path.join(root, 'in'))).toEqual([]);
  });

  it('a permission error is reported clearly', async () => {
    deny = (f) => f.startsWith('in/');
    const err = await refused(sendFile(endpoint(), cred, fileFromBuffer('X.csv', Buffer.from('a,b\r\n')), { retry, timeoutMs: 5000 }));
    expect(err.kind).toBe('permission');
    expect(err.message).toMatch(/refused uploading .*Permission denied/);
    expect(fs.readdirSync(path.join(root, 'in'))).toEqual([]);
  });

  it('never overwrites a different file already there; adopts an identical one', async () => {
    fs.writeFileSync(path.join(root, 'in', 'DISCOVER.csv'), 'theirs');
    const err = await refused(sendFile(endpoint(), cred, fileFromBuffer('DISCOVER.csv', Buffer.from('ours!!')), { retry, timeoutMs: 5000 }));
    expect(err.kind).toBe('conflict');
    expect(err.message).toMatch(/different file named DISCOVER.csv/);
    expect(fs.readFileSync(path.join(root, 'in', 'DISCOVER.csv'), 'utf8')).toBe('theirs');

    const same = await sendFile(endpoint(), cred, fileFromBuffer('DISCOVER.csv', Buffer.from('theirs')), { retry, timeoutMs: 5000 });
    expect(same).toMatchObject({ adopted: true, verifiedBy: 'size+sha256' });
  });
});

describe('FTPS (explicit TLS, pinned certificate)', () => {
  let root: string;
  let server: TestFtpServer;
  let cert: ReturnType<typeof selfSignedCertificate>;
  const endpoint = (tlsFingerprint?: string): Endpoint => ({ protocol: 'ftps', host: '127.0.0.1', port: server.port, username: 'mc', folder: '', tlsFingerprint });

  beforeAll(async () => {
    root = tmp('cd-ftps-');
    cert = selfSignedCertificate(tmp('cd-cert-'));
    server = await startFtpServer({ root, users: { mc: 'pw' }, tls: { key: cert.key, cert: cert.cert } });
  });
  afterAll(() => server.close());

  it('sends over TLS to the server whose certificate is pinned', async () => {
    const file = fileFromBuffer('MASTERCARD.csv', Buffer.from('CASE_ID\r\nCB-1\r\n'));
    const receipt = await sendFile(endpoint(cert.fingerprint256), { password: 'pw' }, file, { retry, timeoutMs: 5000 });
    expect(receipt.serverFingerprint).toBe(`sha256:${cert.fingerprint256}`);
    expect(await probeServerFingerprint({ protocol: 'ftps', host: '127.0.0.1', port: server.port })).toBe(`sha256:${cert.fingerprint256}`);
    expect(fs.readFileSync(path.join(root, 'MASTERCARD.csv'), 'utf8')).toBe('CASE_ID\r\nCB-1\r\n');
  });

  it('sends a file on disk over the TLS data connection byte for byte', async () => {
    const content = randomBytes(3 * 1024 * 1024 + 4321);
    const local = path.join(tmp('cd-ftps-src-'), 'AMEX.csv');
    fs.writeFileSync(local, content);
    const receipt = await sendFile(endpoint(cert.fingerprint256), { password: 'pw' }, await describeLocalFile(local, 'AMEX.csv'), { retry, timeoutMs: 5000 });
    expect(receipt).toMatchObject({ bytes: content.length, attempts: 1, serverFingerprint: `sha256:${cert.fingerprint256}` });
    expect(fs.readFileSync(path.join(root, 'AMEX.csv')).equals(content)).toBe(true);
  });

  it('refuses a certificate other than the pinned one, and an untrusted one without a pin, before signing in', async () => {
    const other = 'AA:' + cert.fingerprint256.slice(3);
    const wrong = await refused(sendFile(endpoint(other), { password: 'pw' }, fileFromBuffer('W.csv', Buffer.from('x')), { retry, timeoutMs: 5000 }));
    expect(wrong.kind).toBe('host-key');
    expect(wrong.message).toContain(cert.fingerprint256);
    const unpinned = await refused(sendFile(endpoint(), { password: 'pw' }, fileFromBuffer('W.csv', Buffer.from('x')), { retry, timeoutMs: 5000 }));
    expect(unpinned.kind).toBe('host-key');
    expect(fs.existsSync(path.join(root, 'W.csv'))).toBe(false);
  });
});

const haveSshd = fs.existsSync(SSHD);
(haveSshd ? describe : describe.skip)('SFTP (OpenSSH sshd on 127.0.0.1, pinned host key)', () => {
  let sshd: TestSshd;
  let inbox: string;
  const endpoint = (over: Partial<Endpoint> = {}): Endpoint => ({
    protocol: 'sftp', host: '127.0.0.1', port: sshd.port, username: 'root', folder: inbox, hostFingerprint: sshd.hostFingerprint, ...over,
  });
  const key = (): Credential => ({ privateKey: sshd.clientKey });

  beforeAll(async () => {
    sshd = await startSshd(tmp('cd-sshd-'));
    inbox = tmp('cd-sftp-in-');
  });
  afterAll(() => sshd?.stop());
  beforeEach(() => {
    for (const f of fs.readdirSync(inbox)) fs.rmSync(path.join(inbox, f));
  });

  it('our fingerprint of the host key is the one ssh-keygen prints, and a probe reports it without signing in', async () => {
    const blob = Buffer.from(fs.readFileSync(path.join(sshd.dir, 'host_ed25519.pub'), 'utf8').split(' ')[1]!, 'base64');
    expect(sshFingerprint(blob)).toBe(sshd.hostFingerprint);
    expect(await probeServerFingerprint({ protocol: 'sftp', host: '127.0.0.1', port: sshd.port })).toBe(sshd.hostFingerprint);
  });

  it('sends with a private key to the pinned server and records its fingerprint', async () => {
    const file = fileFromBuffer('VISA.csv', randomBytes(2 * 1024 * 1024));
    const receipt = await sendFile(endpoint(), key(), file, { retry, timeoutMs: 5000 });
    expect(receipt).toMatchObject({ protocol: 'sftp', serverFingerprint: sshd.hostFingerprint, bytes: file.bytes, attempts: 1, remotePath: `${inbox}/VISA.csv` });
    expect(fs.readFileSync(path.join(inbox, 'VISA.csv')).equals(file.data as Buffer)).toBe(true);
    expect(partsIn(inbox)).toEqual([]);
  });

  it('refuses a changed or unknown host key; nothing is sent', async () => {
    const wrong = await refused(sendFile(endpoint({ hostFingerprint: 'SHA256:' + 'A'.repeat(43) }), key(), fileFromBuffer('H.csv', Buffer.from('x')), { retry, timeoutMs: 5000 }));
    expect(wrong.kind).toBe('host-key');
    expect(wrong.message).toContain(sshd.hostFingerprint);
    const unknown = await refused(sendFile(endpoint({ hostFingerprint: undefined }), key(), fileFromBuffer('H.csv', Buffer.from('x')), { retry, timeoutMs: 5000 }));
    expect(unknown.kind).toBe('host-key');
    expect(fs.readdirSync(inbox)).toEqual([]);
  });

  it('a wrong password or key is refused without retrying', async () => {
    const retries: number[] = [];
    const pw = await refused(sendFile(endpoint(), { password: 'wrong' }, fileFromBuffer('P.csv', Buffer.from('x')), { retry, timeoutMs: 5000, onRetry: (n) => retries.push(n) }));
    expect(pw.kind).toBe('auth');
    const otherKey = fs.readFileSync(path.join(sshd.dir, 'host_ed25519'), 'utf8');
    const k = await refused(sendFile(endpoint(), { privateKey: otherKey }, fileFromBuffer('P.csv', Buffer.from('x')), { retry, timeoutMs: 5000, onRetry: (n) => retries.push(n) }));
    expect(k.kind).toBe('auth');
    expect(retries).toEqual([]);
  });

  it('a read-only account gets a clear permission error', async () => {
    const err = await refused(sendFile(endpoint(), { privateKey: sshd.readOnlyKey }, fileFromBuffer('RO.csv', Buffer.from('x')), { retry, timeoutMs: 5000 }));
    expect(err.kind).toBe('permission');
    expect(err.message).toMatch(/permission denied/i);
    expect(fs.readdirSync(inbox)).toEqual([]);
  });

  it('a connection cut mid-upload is retried; the final name never holds a partial file', async () => {
    const file = fileFromBuffer('AMEX.csv', randomBytes(3 * 1024 * 1024));
    const atCut: boolean[] = [];
    const proxy = await startCutProxy(sshd.port, (n) =>
      n === 1 ? { cutAfter: 1024 * 1024, beforeCut: async () => void atCut.push(fs.existsSync(path.join(inbox, 'AMEX.csv'))) } : undefined,
    );
    try {
      const receipt = await sendFile(endpoint({ port: proxy.port }), key(), file, { retry, timeoutMs: 5000 });
      expect(atCut).toEqual([false]);
      expect(receipt.attempts).toBe(2);
      expect(fs.readFileSync(path.join(inbox, 'AMEX.csv')).equals(file.data as Buffer)).toBe(true);
      expect(partsIn(inbox)).toEqual([]);
    } finally {
      await proxy.close();
    }
  });

  it('survives sshd being restarted during the upload', async () => {
    const file = fileFromBuffer('DISCOVER.csv', randomBytes(3 * 1024 * 1024));
    const proxy = await startCutProxy(sshd.port, (n) => (n === 1 ? { cutAfter: 1024 * 1024, beforeCut: () => sshd.restart(300) } : undefined));
    try {
      const receipt = await sendFile(endpoint({ port: proxy.port }), key(), file, { retry, timeoutMs: 5000 });
      expect(receipt.attempts).toBeGreaterThan(1);
      expect(fs.readFileSync(path.join(inbox, 'DISCOVER.csv')).equals(file.data as Buffer)).toBe(true);
    } finally {
      await proxy.close();
    }
  });

  it('never overwrites a different file already there', async () => {
    fs.writeFileSync(path.join(inbox, 'MC.csv'), 'theirs');
    const err = await refused(sendFile(endpoint(), key(), fileFromBuffer('MC.csv', Buffer.from('ours')), { retry, timeoutMs: 5000 }));
    expect(err.kind).toBe('conflict');
    expect(fs.readFileSync(path.join(inbox, 'MC.csv'), 'utf8')).toBe('theirs');
  });
});
